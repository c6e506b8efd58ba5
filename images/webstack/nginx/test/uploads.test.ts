/**
 * Uploads through nginx as a fuzzer and a careless client send them (issue 26):
 * a body over the limit is answered 413 every time, a refusal never turns into
 * a 502 or a dropped connection, and a valid upload never meets a 502 on a
 * connection nginx reuses, whatever the idle gap before it. Each case is tried
 * many times because what broke it was a race.
 */
import { randomBytes } from "node:crypto";
import { Agent, createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { requestAsWritten, sleep, type Dependency } from "@container-labs/test-kit";
import { makeVolumes, multipartFile, type Multipart, type Volumes } from "../../test/webstack";
import { startProjectNginx, startStack, type Stack } from "./stack";

jest.setTimeout(120000);

/** nginx's limit, 64 KiB above it as the lab sets it, lets a body past 1 MiB reach the app, where fastify's text parser refused it. */
const MAX_UPLOAD_BYTES = 1024 * 1024;
const NGINX_LIMIT_BYTES = MAX_UPLOAD_BYTES + 64 * 1024;
/** The app's keep-alive timeout, shortened so that idle gaps around it are short; nginx gives up its idle connections sooner. */
const APP_KEEP_ALIVE_MS = 300;
const NGINX_UPSTREAM_KEEPALIVE = "200ms";
const TRIES = 20;

const FRAMINGS = { "Content-Length": {}, chunked: { "transfer-encoding": "chunked" } } as const;
type Framing = keyof typeof FRAMINGS;
type Connection = "one kept-alive connection" | "a new connection each";

/** A request body and the headers that describe it. */
type Body = Multipart;

const text = (bytes: number): Body => ({ body: Buffer.alloc(bytes, "a"), headers: { "content-type": "text/plain" } });

/** A form whose first part is a text field, not the file. */
function formWithoutFile(bytes: number): Body {
  const boundary = "----webstack-no-file";
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="comment"\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), Buffer.alloc(bytes, "c"), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

/** Sends the same POST `TRIES` times, one after the other; each try's status, or the error of a try that got no answer. */
async function statuses(url: string, { body, headers }: Body, framing: Framing, connection: Connection): Promise<(number | string)[]> {
  const agent = connection === "one kept-alive connection" ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const answers: (number | string)[] = [];
  try {
    for (let i = 0; i < TRIES; i++) {
      const answer = requestAsWritten(url, { method: "POST", headers: { ...headers, ...FRAMINGS[framing] }, body, agent });
      answers.push(await answer.then((a) => a.status, (err: Error) => err.message));
    }
  } finally {
    if (agent) agent.destroy();
  }
  return answers;
}

const COMBINATIONS: [Framing, Connection][] = [
  ["Content-Length", "one kept-alive connection"],
  ["Content-Length", "a new connection each"],
  ["chunked", "one kept-alive connection"],
  ["chunked", "a new connection each"],
];

describe("uploads through nginx in front of the app", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      workers: 2,
      maxUploadBytes: MAX_UPLOAD_BYTES,
      clientMaxBodySize: String(NGINX_LIMIT_BYTES),
      upstreamKeepaliveTimeout: NGINX_UPSTREAM_KEEPALIVE,
      env: { HTTP_KEEP_ALIVE_TIMEOUT_MS: String(APP_KEEP_ALIVE_MS) },
    });
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe.each(COMBINATIONS)("sent with %s, on %s", (framing, connection) => {
    const every = (status: number) => Array<number>(TRIES).fill(status);

    it("answers 413 to every text body over nginx's limit", async () => {
      expect(await statuses(stack.url("/upload"), text(NGINX_LIMIT_BYTES + 1), framing, connection)).toEqual(every(413));
    });

    it("answers 413 to every form over nginx's limit", async () => {
      expect(await statuses(stack.url("/upload"), multipartFile("big.bin", Buffer.alloc(NGINX_LIMIT_BYTES)), framing, connection)).toEqual(every(413));
    });

    it("answers 413 to every form within nginx's limit whose file is over MAX_UPLOAD_BYTES (the app's refusal)", async () => {
      expect(await statuses(stack.url("/upload"), multipartFile("big.bin", Buffer.alloc(MAX_UPLOAD_BYTES + 1)), framing, connection)).toEqual(every(413));
    });

    it("answers 415 to every text body within nginx's limit, the issue's 1 MiB + 1 included, never 502", async () => {
      expect(await statuses(stack.url("/upload"), text(MAX_UPLOAD_BYTES + 1), framing, connection)).toEqual(every(415));
    });

    it("answers 405 to every such body posted to a route that takes no POST, never 502", async () => {
      expect(await statuses(stack.url("/"), text(MAX_UPLOAD_BYTES + 1), framing, connection)).toEqual(every(405));
    });

    it("answers 400 to every large form without a file, refused at its first part, never 502", async () => {
      expect(await statuses(stack.url("/upload"), formWithoutFile(MAX_UPLOAD_BYTES), framing, connection)).toEqual(every(400));
    });
  });

  it("stores every valid upload sent on reused connections after idle gaps around the app's keep-alive timeout, byte for byte", async () => {
    const CLIENTS = 4;
    const UPLOADS_EACH = 15;
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const stored: { status: number; url?: string; content: Buffer }[] = [];
      try {
        for (let i = 0; i < UPLOADS_EACH; i++) {
          // Gaps from 30 ms under the app's timeout to 30 ms over it, each client out of step with the others.
          await sleep(APP_KEEP_ALIVE_MS - 30 + ((i * 4 + client * 15) % 60));
          const content = randomBytes(3000);
          const form = multipartFile(`kept-${client}-${i}.bin`, content);
          const answer = await requestAsWritten(stack.url("/upload"), { method: "POST", ...form, agent });
          stored.push({ status: answer.status, url: answer.status === 201 ? (JSON.parse(answer.body) as { url: string }).url : undefined, content });
        }
      } finally {
        agent.destroy();
      }
      return stored;
    });
    const uploads = (await Promise.all(clients)).flat();
    expect(uploads.map((upload) => upload.status)).toEqual(Array<number>(CLIENTS * UPLOADS_EACH).fill(201));
    for (const upload of uploads) {
      const served = Buffer.from(await (await fetch(stack.url(upload.url!))).arrayBuffer());
      expect(served.equals(upload.content)).toBe(true);
    }
  });
});

describe("nginx's idle connections to the app", () => {
  /** The upstream's keep-alive timeout; nginx's must be shorter. */
  const UPSTREAM_KEEP_ALIVE_MS = 400;
  let volumes: Volumes;
  let upstream: Server;
  let nginx: Dependency;
  const connections = new Set<Socket>();
  const answeredAt = new Map<Socket, number>();

  beforeAll(async () => {
    volumes = makeVolumes();
    // The app closes a connection idle for its keep-alive timeout; when a request is already on its way,
    // that close resets it. That race is rare and short; this stand-in makes it certain: a request that
    // arrives on a connection idle for the timeout is reset.
    upstream = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
      const idleSince = answeredAt.get(request.socket);
      if (idleSince !== undefined && Date.now() - idleSince >= UPSTREAM_KEEP_ALIVE_MS) {
        request.socket.resetAndDestroy();
        return;
      }
      connections.add(request.socket);
      request.resume();
      request.on("end", () => response.end("stored", () => answeredAt.set(request.socket, Date.now())));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const address = upstream.address();
    const port = typeof address === "object" && address ? address.port : 0;
    nginx = await startProjectNginx(`127.0.0.1:${port}`, volumes, { upstreamKeepaliveTimeout: `${UPSTREAM_KEEP_ALIVE_MS / 2}ms` });
  });

  afterAll(async () => {
    await nginx?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
    volumes?.remove();
  });

  it("reuses a connection within its own timeout, and never sends an upload on one idle for the app's", async () => {
    // One client connection: one nginx worker, so one pool of connections to the upstream.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = async () => (await requestAsWritten(`${nginx.url}/upload`, { method: "POST", ...text(3000), agent })).status;
    try {
      expect(await post()).toBe(200);
      await sleep(UPSTREAM_KEEP_ALIVE_MS / 8);
      expect(await post()).toBe(200);
      expect(connections.size).toBe(1);
      await sleep(UPSTREAM_KEEP_ALIVE_MS + 100);
      expect(await post()).toBe(200);
      expect(connections.size).toBe(2);
    } finally {
      agent.destroy();
    }
  });
});
