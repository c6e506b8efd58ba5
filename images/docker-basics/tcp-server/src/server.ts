import { hostname } from "node:os";
import { createServer, type Server, type Socket } from "node:net";
import { serveLines } from "./connection";
import { Log } from "./log";
import type { ServerLimits } from "./settings";

/** The answer to one line: it names the server's host, which on Docker is the container's. */
export function greeting(line: string): string {
  return `hello from ${hostname()}, you said: ${line}`;
}

export interface StoppableServer {
  server: Server;
  /** Stops accepting, drops open connections, resolves once all are closed. */
  stop(): Promise<void>;
}

/** A flood of connections past the cap is logged once per interval, not once per connection. */
const DROP_LOG_INTERVAL_MS = 10_000;

/** Answers every line received on every connection with its greeting, within `limits`. */
export function startServer(host: string, port: number, limits: ServerLimits): Promise<StoppableServer> {
  const connections = new Set<Socket>();
  const log = new Log();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    log.line(`connection from ${peer}`);
    socket.on("close", () => connections.delete(socket));
    serveLines(socket, peer, limits, greeting, log);
  });
  // Node itself closes each connection past the cap as soon as it is accepted, as the HTTP services' cap does.
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let lastDropLog = 0;
  server.on("drop", () => {
    dropped += 1;
    if (Date.now() - lastDropLog < DROP_LOG_INTERVAL_MS) return;
    log.line(`closed ${dropped} connection(s) past MAX_CONNECTIONS (${limits.maxConnections})`);
    dropped = 0;
    lastDropLog = Date.now();
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      connections.forEach((socket) => socket.destroy());
    });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve({ server, stop }));
  });
}
