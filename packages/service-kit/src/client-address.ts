import { BlockList, isIP, type Socket } from "node:net";
import type { FastifyRequest } from "fastify";
import { ConfigError } from "./env";

type Env = Record<string, string | undefined>;

const TRUSTED_PROXIES_VARIABLE = "HTTP_TRUSTED_PROXIES";

/**
 * The proxies in front of a service (e.g. a lab's nginx), as addresses or
 * CIDR blocks: a connection from one of them carries many clients, so it is
 * held only to the global connection cap, not to one address's share, and the
 * client address it names in X-Real-IP is believed. Empty by default: a
 * service trusts no header a client could have written itself.
 */
export function readTrustedProxies(env: Env = process.env): BlockList {
  const trusted = new BlockList();
  for (const entry of (env[TRUSTED_PROXIES_VARIABLE] ?? "").split(",").map((item) => item.trim()).filter(Boolean)) {
    const [address, prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (family === 0 || extra !== undefined || !(bits >= 0 && bits <= (family === 6 ? 128 : 32))) {
      throw new ConfigError(TRUSTED_PROXIES_VARIABLE, env[TRUSTED_PROXIES_VARIABLE], `comma-separated addresses or CIDR blocks such as 172.18.0.0/16,10.0.0.5; "${entry}" is neither`);
    }
    trusted.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return trusted;
}

/** The peer's address, an IPv4 client on a dual-stack socket written as IPv4 (::ffff:1.2.3.4 is 1.2.3.4). */
export function peerAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * Who sent a request: the socket's peer, or, when that peer is a trusted
 * proxy, the X-Real-IP it set. Our nginx proxies set X-Real-IP to the
 * address they were connected from, replacing whatever the client sent
 * (X-Forwarded-For, by contrast, keeps the client's own entries).
 */
export function clientAddress(request: FastifyRequest, trusted: BlockList): string {
  const peer = peerAddress(request.raw.socket);
  if (!isTrusted(trusted, peer)) return peer;
  const forwarded = request.headers["x-real-ip"];
  return typeof forwarded === "string" && isIP(forwarded.trim()) !== 0 ? forwarded.trim() : peer;
}
