import { lookup, type LookupAddress, type LookupOptions } from "node:dns";
import { request, type OutgoingHttpHeaders } from "node:http";

/** A hex SHA-256 is 64 characters; anything much longer from hasher is not one. */
const MAX_HASH_ANSWER_BYTES = 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Resolves a name to every address it has and picks one at random. Docker's
 * DNS answers a service's alias with the address of every replica; picking
 * among all of them, rather than taking the first, spreads calls evenly
 * whatever order the resolver hands them back in (getaddrinfo may sort them).
 */
export function lookupAnyAddress(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "");
    const chosen = addresses[Math.floor(Math.random() * addresses.length)];
    // net asks for a list when it may try several families (autoSelectFamily); give it the one chosen.
    if (options.all) callback(null, [chosen]);
    else callback(null, chosen.address, chosen.family);
  });
}

/**
 * The worker's two web services: rng for random bytes, hasher for their
 * SHA-256. Like the course's worker (Python requests without a session),
 * every call opens a new connection after a new name lookup, so each call
 * can land on any replica behind the name: keep-alive would pin a worker to
 * the replica its first connection reached.
 */
export class Upstream {
  private readonly rngUrl: string;
  private readonly hasherUrl: string;

  constructor(rngUrl: string, hasherUrl: string, private readonly timeoutMs: number) {
    this.rngUrl = rngUrl.replace(/\/+$/, "");
    this.hasherUrl = hasherUrl.replace(/\/+$/, "");
  }

  /** `GET <rng>/<count>`: exactly `count` random bytes. */
  async randomBytes(count: number): Promise<Buffer> {
    const body = await this.call("rng", `${this.rngUrl}/${count}`, "GET", count);
    if (body.length !== count) throw new Error(`rng sent ${body.length} bytes instead of ${count}`);
    return body;
  }

  /** `POST <hasher>/`: the hex SHA-256 of `bytes`. */
  async hash(bytes: Buffer): Promise<string> {
    const body = await this.call("hasher", `${this.hasherUrl}/`, "POST", MAX_HASH_ANSWER_BYTES, bytes);
    const hex = body.toString("utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`hasher sent ${JSON.stringify(hex.slice(0, 80))}, not a hex SHA-256`);
    return hex;
  }

  /** One request on its own connection, answered 2xx within the timeout with at most `maxBytes` of body. */
  private call(service: string, url: string, method: "GET" | "POST", maxBytes: number, body?: Buffer): Promise<Buffer> {
    const headers: OutgoingHttpHeaders = body ? { "content-type": "application/octet-stream", "content-length": body.length } : {};
    return new Promise((resolve, reject) => {
      let settled = false;
      /** Why we cut the call short ourselves (timeout, oversized answer); otherwise the socket's error code says why. */
      let cutShort: string | undefined;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const fail = (err?: NodeJS.ErrnoException): void =>
        settle(() => reject(new Error(`${service} unreachable at ${url}: ${cutShort ?? err?.code ?? err?.message ?? "connection closed"}`)));
      const cut = (reason: string): void => {
        cutShort = reason;
        req.destroy(new Error(reason));
      };

      // agent: false is a fresh connection (Connection: close) and so a fresh lookup for every call.
      const req = request(url, { method, headers, agent: false, lookup: lookupAnyAddress }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          settle(() => reject(new Error(`${service} answered ${status} at ${url}`)));
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxBytes) cut(`answer longer than ${maxBytes} bytes`);
          else chunks.push(chunk);
        });
        res.on("end", () => settle(() => resolve(Buffer.concat(chunks))));
        res.on("error", fail);
        res.on("close", () => {
          if (!res.complete) fail();
        });
      });
      const timer = setTimeout(() => cut(`no answer within ${this.timeoutMs} ms`), this.timeoutMs);
      req.on("error", fail);
      req.end(body);
    });
  }
}
