/**
 * Every service built on createHttpService and listen: slow or idle clients
 * cannot hold its sockets, connections past a cap are closed, well-behaved
 * keep-alive clients are served as before, and HOST picks the address.
 * Real sockets on the loopback interface, a service in this process.
 */
import { once } from "node:events";
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import { Readable } from "node:stream";
import pino from "pino";
import type { FastifyInstance } from "fastify";
import { ConfigError, createHttpService, listen, readServerLimits, type ServerLimits } from "../src";

const silent = pino({ level: "silent" });
/**
 * The time is the behaviour in these tests: a timeout fires, a connection past a cap is closed. Each
 * bound is three times what the behaviour should take, so that only a timeout that never fires (or
 * fires far too late) fails, not a busy machine.
 * - A timeout Node checks on its own timer (keep-alive, idle) should take the timeout itself.
 * - Headers and request timeouts are found by Node's sweep, once a second (connectionsCheckingInterval,
 *   set by src/http.ts): up to the timeout plus that second.
 */
const NODE_SWEEP_MS = 1000;
const firesWithin = (expectedMs: number) => 3 * expectedMs;
/**
 * An answer, or the close of a connection past a cap, takes milliseconds; this bound only keeps a
 * missing one from hanging the test until jest's timeout, and is far over 3x even on a busy machine.
 */
const AT_ONCE_MS = 2500;

const services: FastifyInstance[] = [];
const clients: Socket[] = [];
afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy();
  await Promise.all(services.splice(0).map((app) => app.close()));
  for (const variable of ["HOST", "HTTP_MAX_CONNECTIONS_PER_ADDRESS", "HTTP_TRUSTED_PROXIES"]) delete process.env[variable];
});

async function serve(limits: Partial<ServerLimits>, logger = silent): Promise<{ app: FastifyInstance; port: number }> {
  const { app } = createHttpService({ logger, limits });
  app.get("/hello", async () => ({ hello: "world" }));
  app.post("/hello", async () => ({ hello: "poster" }));
  // An answer far larger than the socket buffers, produced only as fast as the client reads it.
  app.get("/big", async (_request, reply) => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, "x");
    const body = new Readable({
      read() {
        sent += chunk.length;
        this.push(sent > 256 * 1024 * 1024 ? null : chunk);
      },
    });
    return reply.type("text/plain").send(body);
  });
  services.push(app);
  const port = await listen(app, { port: 0, host: "127.0.0.1" });
  return { app, port };
}

interface RawConnection {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the milliseconds from `since` to the server closing the connection. */
  closed: Promise<number>;
}

/** A raw connection to `host`, from `localAddress` (another loopback address is another client). */
function open(port: number, host = "127.0.0.1", localAddress?: string): Promise<RawConnection> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, localAddress });
    clients.push(socket);
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (data += chunk));
    const closed = new Promise<number>((done) => socket.once("close", () => done(Date.now() - started)));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      // A reset is one of the ways the server may close; `closed` reports it.
      socket.on("error", () => undefined);
      resolve({ socket, received: () => data, closed });
    });
  });
}

/** Rejects when `promise` has not settled within `ms`: the behaviour under test did not happen in time. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Sends GET /hello and resolves with the status line, or "" if the server closes the connection without an answer. */
function askHello(connection: RawConnection): Promise<string> {
  connection.socket.write("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n");
  const answered = new Promise<void>((resolve) => {
    const check = () => connection.received().includes("\r\n\r\n") && resolve();
    connection.socket.on("data", check);
    check();
  });
  return within(AT_ONCE_MS, "an answer or a close", Promise.race([answered, connection.closed])).then(() => connection.received().split("\r\n")[0]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function get(port: number, path: string, agent?: Agent): Promise<{ status: number; body: string; socketPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, socketPort: req.socket?.localPort ?? 0 }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("idle and slow clients cannot hold sockets", () => {
  it("closes 200 connections that never send a byte within the headers timeout", async () => {
    const { port } = await serve({ headersTimeoutMs: 800, requestTimeoutMs: 5000 });
    const connections = await Promise.all(Array.from({ length: 200 }, () => open(port)));
    const closedAfter = await within(firesWithin(800 + NODE_SWEEP_MS), "closing 200 silent connections", Promise.all(connections.map((c) => c.closed)));
    expect(Math.max(...closedAfter)).toBeGreaterThanOrEqual(800);
  });

  it("closes a kept-alive connection that waits longer than the keep-alive timeout for its next request", async () => {
    const { port } = await serve({ keepAliveTimeoutMs: 1500 });
    const connection = await open(port);
    connection.socket.write("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n");
    const closedAfter = await within(firesWithin(1500), "closing the idle kept-alive connection", connection.closed);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200 OK/);
    // Clients are told, so a pooling client retires the connection before the server closes it.
    expect(connection.received()).toMatch(/keep-alive: timeout=1\r\n/i);
    expect(closedAfter).toBeGreaterThanOrEqual(1500);
  });

  it("answers 408 and closes a request whose headers trickle in (slowloris), while the client is still sending", async () => {
    const { port } = await serve({ headersTimeoutMs: 1000, requestTimeoutMs: 5000 });
    const connection = await open(port);
    connection.socket.write("GET /hello HTTP/1.1\r\nHost: test\r\n");
    const trickle = setInterval(() => connection.socket.writable && connection.socket.write(`X-Padding-${Date.now()}: 1\r\n`), 200);
    try {
      await within(firesWithin(1000 + NODE_SWEEP_MS), "cutting the slowloris request", connection.closed);
    } finally {
      clearInterval(trickle);
    }
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it("answers 408 and closes a request whose body trickles in past the request timeout", async () => {
    const { port } = await serve({ headersTimeoutMs: 500, requestTimeoutMs: 1500 });
    const connection = await open(port);
    connection.socket.write("POST /hello HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n");
    const trickle = setInterval(() => connection.socket.writable && connection.socket.write("a"), 100);
    try {
      await within(firesWithin(1500 + NODE_SWEEP_MS), "cutting the slow body", connection.closed);
    } finally {
      clearInterval(trickle);
    }
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it("lets go of a connection whose client stops reading its answer, after the idle timeout", async () => {
    const { app, port } = await serve({ idleTimeoutMs: 700 });
    const accepted = once(app.server, "connection") as Promise<[Socket]>;
    const connection = await open(port);
    const [serverSide] = await accepted;
    connection.socket.write("GET /big HTTP/1.1\r\nHost: test\r\n\r\n");
    await sleep(100);
    connection.socket.pause();
    // Buffers fill (allow a second for that), the server cannot write, nothing moves: the idle timeout frees the server's socket.
    await within(firesWithin(1000 + 700), "freeing the stalled download's socket", once(serverSide, "close"));
    connection.socket.destroy();
  });
});

describe("the connection cap", () => {
  it("closes connections past HTTP_MAX_CONNECTIONS as they arrive, says so in its log, and serves again once one ends", async () => {
    const logLines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => logLines.push(line) });
    const { port } = await serve({ maxConnections: 5, maxConnectionsPerAddress: 5 }, logger);
    const held = await Promise.all(Array.from({ length: 5 }, () => open(port)));
    for (const connection of held) connection.socket.write("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n");
    await sleep(200);
    expect(held.every((connection) => connection.received().startsWith("HTTP/1.1 200 OK"))).toBe(true);

    const extra = await open(port);
    extra.socket.write("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n");
    await within(AT_ONCE_MS, "closing the connection past the cap", extra.closed);
    expect(extra.received()).toBe("");
    expect(logLines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ msg: "closed connections past HTTP_MAX_CONNECTIONS", dropped: 1, maxConnections: 5 }),
    );

    held[0].socket.destroy();
    await held[0].closed;
    await sleep(100);
    expect((await get(port, "/hello")).status).toBe(200);
    for (const connection of held) connection.socket.destroy();
  });
});

describe("one address's share of the connection cap", () => {
  it("closes an address's connections past HTTP_MAX_CONNECTIONS_PER_ADDRESS while another address still gets answers", async () => {
    process.env.HTTP_MAX_CONNECTIONS_PER_ADDRESS = "4";
    const logLines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => logLines.push(line) });
    const { port } = await serve({ maxConnections: 10 }, logger);
    const held = await Promise.all(Array.from({ length: 4 }, () => open(port, "127.0.0.1", "127.0.0.1")));
    for (const connection of held) expect(await askHello(connection)).toBe("HTTP/1.1 200 OK");

    const oneMore = await open(port, "127.0.0.1", "127.0.0.1");
    expect(await askHello(oneMore)).toBe("");
    expect(logLines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ msg: "closed connections past HTTP_MAX_CONNECTIONS_PER_ADDRESS", maxConnectionsPerAddress: 4, lastAddress: "127.0.0.1" }),
    );

    const otherClient = await open(port, "127.0.0.1", "127.0.0.2");
    expect(await askHello(otherClient)).toBe("HTTP/1.1 200 OK");

    // The share frees as the address's connections end.
    held[0].socket.destroy();
    await held[0].closed;
    await sleep(100);
    expect(await askHello(await open(port, "127.0.0.1", "127.0.0.1"))).toBe("HTTP/1.1 200 OK");
  });

  it("holds a trusted proxy (HTTP_TRUSTED_PROXIES), which carries many clients, only to the global cap", async () => {
    process.env.HTTP_MAX_CONNECTIONS_PER_ADDRESS = "2";
    process.env.HTTP_TRUSTED_PROXIES = "10.0.0.0/8, 127.0.0.1";
    const { port } = await serve({ maxConnections: 10 });
    const fromProxy = await Promise.all(Array.from({ length: 6 }, () => open(port, "127.0.0.1", "127.0.0.1")));
    for (const connection of fromProxy) expect(await askHello(connection)).toBe("HTTP/1.1 200 OK");
  });
});

describe("clientOf: who sent a request", () => {
  async function whoAmI(localAddress: string, realIp: string): Promise<string> {
    const { app, clientOf } = createHttpService({ logger: silent });
    app.get("/who", async (request) => ({ client: clientOf(request) }));
    services.push(app);
    const port = await listen(app, { port: 0, host: "127.0.0.1" });
    const connection = await open(port, "127.0.0.1", localAddress);
    connection.socket.write(`GET /who HTTP/1.1\r\nHost: test\r\nX-Real-IP: ${realIp}\r\nConnection: close\r\n\r\n`);
    await connection.closed;
    return JSON.parse(connection.received().split("\r\n\r\n")[1]).client;
  }

  it("is the socket's peer, whatever X-Real-IP a client writes itself", async () => {
    expect(await whoAmI("127.0.0.2", "203.0.113.9")).toBe("127.0.0.2");
  });

  it("is the X-Real-IP a trusted proxy set", async () => {
    process.env.HTTP_TRUSTED_PROXIES = "127.0.0.3";
    expect(await whoAmI("127.0.0.3", "203.0.113.9")).toBe("203.0.113.9");
    expect(await whoAmI("127.0.0.2", "203.0.113.9")).toBe("127.0.0.2");
  });

  it("refuses an HTTP_TRUSTED_PROXIES entry that is neither an address nor a CIDR block, naming it", () => {
    process.env.HTTP_TRUSTED_PROXIES = "172.18.0.0/16,nginx";
    expect(() => createHttpService({ logger: silent })).toThrow(
      'HTTP_TRUSTED_PROXIES="172.18.0.0/16,nginx" is not valid: comma-separated addresses or CIDR blocks such as 172.18.0.0/16,10.0.0.5; "nginx" is neither',
    );
  });
});

describe("a known path asked with a method it does not take", () => {
  /** A service with GET and DELETE /things/:id and POST /things/; resolves with a function that asks it. */
  async function things(configure?: (app: FastifyInstance) => void): Promise<(method: string, path: string) => Promise<Response>> {
    const { app } = createHttpService({ logger: silent });
    configure?.(app);
    app.register(
      async (api) => {
        api.get("/:id", async () => ({}));
        api.delete("/:id", async () => ({}));
        api.post("/", async () => ({}));
      },
      { prefix: "/things" },
    );
    services.push(app);
    const port = await listen(app, { port: 0, host: "127.0.0.1" });
    return (method, path) => fetch(`http://127.0.0.1:${port}${path}`, { method });
  }

  it("answers 405 with Allow naming the methods the path takes, and 404 for a path no route takes", async () => {
    const ask = await things();
    const wrong = await ask("PATCH", "/things/42?x=1");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("DELETE, GET, HEAD");
    expect(await wrong.json()).toMatchObject({ statusCode: 405, message: "PATCH is not allowed on /things/42; it takes DELETE, GET, HEAD" });
    // The prefix's own path, with or without its slash, as fastify serves it.
    for (const path of ["/things", "/things/"]) expect((await ask("PUT", path)).headers.get("allow")).toContain("POST");
    expect((await ask("PATCH", "/nothing/42")).status).toBe(404);
    expect((await ask("GET", "/things/42")).status).toBe(200);
  });

  it("answers 405 in the service's own error shape, whatever not-found handler it set", async () => {
    const ask = await things((service) => {
      service.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => reply.code(error.statusCode ?? 500).send({ error: error.message }));
      service.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: "no such route" }));
    });
    const wrong = await ask("PUT", "/things/42");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("DELETE, GET, HEAD");
    expect(await wrong.json()).toEqual({ error: "PUT is not allowed on /things/42; it takes DELETE, GET, HEAD" });
    expect(await (await ask("PUT", "/elsewhere")).json()).toEqual({ error: "no such route" });
  });
});

describe("well-behaved clients", () => {
  it("serves a keep-alive client on one connection across pauses shorter than the keep-alive timeout", async () => {
    // Node's client retires a pooled connection a second before the server's announced keep-alive timeout.
    const { app, port } = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 1000, keepAliveTimeoutMs: 3000, idleTimeoutMs: 600 });
    let connections = 0;
    app.server.on("connection", () => (connections += 1));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ports = new Set<number>();
      // 4 s in all: longer than every timeout, but never idle for as long as any of them (a pause of
      // 200 ms is a third of the shortest that applies between requests, the 600 ms idle timeout).
      for (let i = 0; i < 20; i++) {
        const answer = await get(port, "/hello", agent);
        expect(answer).toMatchObject({ status: 200, body: '{"hello":"world"}' });
        ports.add(answer.socketPort);
        await sleep(200);
      }
      expect(ports.size).toBe(1);
      expect(connections).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});

describe("HOST", () => {
  it("listens on the address HOST names, and only there", async () => {
    process.env.HOST = "127.0.0.2";
    const { app } = createHttpService({ logger: silent });
    services.push(app);
    const port = await listen(app, { port: 0 });
    expect(app.server.address()).toMatchObject({ address: "127.0.0.2", port });
    const reached = await open(port, "127.0.0.2");
    reached.socket.destroy();
    await expect(open(port, "127.0.0.1")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("refuses a HOST that is neither an address nor a host name, naming it", async () => {
    process.env.HOST = "http://0.0.0.0:80";
    const { app } = createHttpService({ logger: silent });
    services.push(app);
    await expect(listen(app, { port: 0 })).rejects.toThrow(
      'HOST="http://0.0.0.0:80" is not valid: an IP address such as 127.0.0.1, 0.0.0.0 or ::, or a host name such as localhost',
    );
  });
});

describe("readServerLimits", () => {
  it("has defaults that cut slow clients in seconds, and takes each from its HTTP_* variable", () => {
    expect(readServerLimits({})).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 30_000,
      maxConnections: 1024,
      maxConnectionsPerAddress: 512,
    });
    expect(
      readServerLimits({
        HTTP_HEADERS_TIMEOUT_MS: "2000",
        HTTP_REQUEST_TIMEOUT_MS: "4000",
        HTTP_KEEP_ALIVE_TIMEOUT_MS: "3000",
        HTTP_IDLE_TIMEOUT_MS: "5000",
        HTTP_MAX_CONNECTIONS: "64",
        HTTP_MAX_CONNECTIONS_PER_ADDRESS: "8",
      }),
    ).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 3000, idleTimeoutMs: 5000, maxConnections: 64, maxConnectionsPerAddress: 8 });
    // Without its own variable, one address's share follows the cap: half of it.
    expect(readServerLimits({ HTTP_MAX_CONNECTIONS: "100" }).maxConnectionsPerAddress).toBe(50);
  });

  it("lets the environment override a service's own defaults", () => {
    const defaults = { ...readServerLimits({}), requestTimeoutMs: 120_000 };
    expect(readServerLimits({}, defaults).requestTimeoutMs).toBe(120_000);
    expect(readServerLimits({ HTTP_REQUEST_TIMEOUT_MS: "15000" }, defaults).requestTimeoutMs).toBe(15_000);
  });

  it("names the variable, the value and what is allowed", () => {
    expect(() => readServerLimits({ HTTP_MAX_CONNECTIONS: "0" })).toThrow(new ConfigError("HTTP_MAX_CONNECTIONS", "0", "an integer from 1 to 1000000"));
    expect(() => readServerLimits({ HTTP_IDLE_TIMEOUT_MS: "30s" })).toThrow('HTTP_IDLE_TIMEOUT_MS="30s" is not valid');
    expect(() => readServerLimits({ HTTP_HEADERS_TIMEOUT_MS: "60000" })).toThrow(
      'HTTP_HEADERS_TIMEOUT_MS="60000" is not valid: at most HTTP_REQUEST_TIMEOUT_MS (30000)',
    );
    expect(() => readServerLimits({ HTTP_MAX_CONNECTIONS: "64", HTTP_MAX_CONNECTIONS_PER_ADDRESS: "65" })).toThrow(
      'HTTP_MAX_CONNECTIONS_PER_ADDRESS="65" is not valid: at most HTTP_MAX_CONNECTIONS (64)',
    );
  });
});
