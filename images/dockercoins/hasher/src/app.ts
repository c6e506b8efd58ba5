import { createHash } from "node:crypto";
import { hostname } from "node:os";
import type { Readable } from "node:stream";
import { createHttpService, type HttpService } from "@container-labs/service-kit";
import { deskRoute, SerialDesk, type LessonServiceOptions } from "@container-labs/dockercoins-kit";

/**
 * Largest body hasher accepts: as much as rng gives in one answer, so
 * `curl rng/<n> | curl --data-binary @- hasher/` works for any n rng serves.
 * The workers send 32 bytes.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

export function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function tooLarge(): Error {
  return Object.assign(new Error(`the body is larger than hasher's limit of ${MAX_BODY_BYTES} bytes`), { statusCode: 413 });
}

/**
 * Hashes a request body as it arrives, so a request waiting in line holds a
 * digest, not its body: memory stays flat however many large bodies wait.
 */
function digestBody(body: Readable, declaredLength: string | undefined, done: (err: Error | null, digest?: string) => void): void {
  if (Number(declaredLength) > MAX_BODY_BYTES) {
    // Refused before reading; Node discards the rest of the body.
    done(tooLarge());
    return;
  }
  const hash = createHash("sha256");
  let received = 0;
  body.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_BODY_BYTES) {
      body.removeAllListeners("data");
      body.resume();
      done(tooLarge());
      return;
    }
    hash.update(chunk);
  });
  body.once("end", () => {
    if (received <= MAX_BODY_BYTES) done(null, hash.digest("hex"));
  });
  body.once("error", (err) => done(err));
}

/** hasher: `POST /` answers the hex SHA-256 of the body, one request at a time after the lesson's delay. */
export function buildHasherApp(options: LessonServiceOptions): HttpService["app"] {
  const { app, registry } = createHttpService({ logger: options.logger, bodyLimit: MAX_BODY_BYTES });
  const desk = new SerialDesk({ delayMs: options.lessonDelayMs, capacity: options.queueLimit, registry, name: "hasher" });
  const line = deskRoute(desk, { service: "hasher", perClient: options.queueLimitPerClient });
  const banner = `HASHER running on ${hostname()}\n`;

  // The body is bytes to hash whatever its declared type: no JSON or text parsing.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (request, body, done) => digestBody(body, request.headers["content-length"], done));

  app.get("/", async (_request, reply) => reply.type("text/plain; charset=utf-8").send(banner));

  app.post<{ Body: string | undefined }>("/", { onRequest: line.admit }, async (request, reply) => {
    const hex = request.body ?? sha256Hex(Buffer.alloc(0));
    return reply.type("text/plain; charset=utf-8").send(await line.serve(request, () => hex));
  });
  return app;
}
