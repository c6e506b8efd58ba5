import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { createHttpService, type HttpService } from "@container-labs/service-kit";
import { SerialDesk, type LessonServiceOptions } from "@container-labs/dockercoins-kit";

/** Largest body hasher accepts; the workers send 32 bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** hasher: `POST /` answers the hex SHA-256 of the body, one request at a time after the lesson's delay. */
export function buildHasherApp(options: LessonServiceOptions): HttpService["app"] {
  const { app, registry } = createHttpService({ logger: options.logger, bodyLimit: MAX_BODY_BYTES });
  const desk = new SerialDesk({ delayMs: options.lessonDelayMs, registry, name: "hasher" });
  const banner = `HASHER running on ${hostname()}\n`;

  // The body is bytes to hash whatever its declared type: no JSON or text parsing.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.get("/", async (_request, reply) => reply.type("text/plain; charset=utf-8").send(banner));

  app.post<{ Body: Buffer | undefined }>("/", async (request, reply) => {
    const body = request.body ?? Buffer.alloc(0);
    const hex = await desk.serve(() => sha256Hex(body));
    return reply.type("text/plain; charset=utf-8").send(hex);
  });
  return app;
}
