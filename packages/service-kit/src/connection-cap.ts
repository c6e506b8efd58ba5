import type { BlockList, Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { isTrusted, peerAddress } from "./client-address";

/** A flood of refused connections is logged once per interval, not once per connection. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/** Counts refusals and logs how many, with `fields`, at most once per interval. */
function refusalLog(app: FastifyInstance, message: string, fields: Record<string, unknown>): (address?: string) => void {
  let dropped = 0;
  let lastLog = 0;
  return (address) => {
    dropped += 1;
    const now = Date.now();
    if (now - lastLog < REFUSAL_LOG_INTERVAL_MS) return;
    app.log.warn({ ...fields, dropped, lastAddress: address }, message);
    dropped = 0;
    lastLog = now;
  };
}

/**
 * Past `max` open connections, Node closes each new one as soon as it is
 * accepted. Past `perAddress` from one peer address, we close that address's
 * new ones the same way, so one client cannot take the whole cap while others
 * still get through. Trusted proxies carry many clients: only the global cap
 * holds them.
 */
export function capConnections(app: FastifyInstance, limits: { max: number; perAddress: number; trustedProxies: BlockList }): void {
  app.server.maxConnections = limits.max;
  const pastCap = refusalLog(app, "closed connections past HTTP_MAX_CONNECTIONS", { maxConnections: limits.max });
  app.server.on("drop", (data?: { remoteAddress?: string }) => pastCap(data?.remoteAddress));

  const open = new Map<string, number>();
  const overShare = refusalLog(app, "closed connections past HTTP_MAX_CONNECTIONS_PER_ADDRESS", {
    maxConnectionsPerAddress: limits.perAddress,
  });
  // Before the HTTP server's own listener: a refused socket never gets as far as a request.
  app.server.prependListener("connection", (socket: Socket) => {
    const address = peerAddress(socket);
    if (isTrusted(limits.trustedProxies, address)) return;
    const held = open.get(address) ?? 0;
    if (held >= limits.perAddress) {
      overShare(address);
      socket.destroy();
      return;
    }
    open.set(address, held + 1);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
