import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createHttpService, type HttpService } from "@container-labs/service-kit";
import { SerialDesk, type LessonServiceOptions } from "@container-labs/dockercoins-kit";

/** The most bytes one request may ask for: the workers ask for 32. */
export const MAX_BYTES = 65536;

/** Parses the `<n>` of `GET /<n>`: a whole number from 0 to MAX_BYTES, or undefined. */
export function parseByteCount(text: string): number | undefined {
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const count = Number(text);
  return count <= MAX_BYTES ? count : undefined;
}

/** rng: `GET /<n>` answers n random bytes, one request at a time after the lesson's delay. */
export function buildRngApp(options: LessonServiceOptions): HttpService["app"] {
  const { app, registry } = createHttpService({ logger: options.logger });
  const desk = new SerialDesk({ delayMs: options.lessonDelayMs, registry, name: "rng" });
  const banner = `RNG running on ${hostname()}\n`;

  app.get("/", async (_request, reply) => reply.type("text/plain; charset=utf-8").send(banner));

  app.get<{ Params: { n: string } }>("/:n", async (request, reply) => {
    const count = parseByteCount(request.params.n);
    if (count === undefined) {
      return reply.code(400).type("text/plain; charset=utf-8").send(`n must be a whole number of bytes from 0 to ${MAX_BYTES}\n`);
    }
    const bytes = await desk.serve(() => randomBytes(count));
    return reply.type("application/octet-stream").send(bytes);
  });
  return app;
}
