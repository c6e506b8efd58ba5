import { hostname } from "node:os";
import { createServer, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";

/** The answer to one line: it names the server's host, which on Docker is the container's. */
export function greeting(line: string): string {
  return `hello from ${hostname()}, you said: ${line}`;
}

export interface StoppableServer {
  server: Server;
  /** Stops accepting, drops open connections, resolves once all are closed. */
  stop(): Promise<void>;
}

/** Answers every line received on every connection with its greeting. */
export function startServer(host: string, port: number): Promise<StoppableServer> {
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    console.log(`connection from ${peer}`);
    socket.on("error", (err) => console.log(`connection from ${peer} failed: ${err.message}`));
    socket.on("close", () => connections.delete(socket));
    createInterface({ input: socket, crlfDelay: Infinity }).on("line", (line) => {
      console.log(`received "${line}" from ${peer}`);
      socket.write(`${greeting(line)}\n`);
    });
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
