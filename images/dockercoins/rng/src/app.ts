import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createHttpService, type HttpService } from "@container-labs/service-kit";
import { deskRoute, SerialDesk, type LessonServiceOptions } from "@container-labs/dockercoins-kit";

/**
 * The most bytes one request may ask for. The workers ask for 32; the
 * course's rng answers any n, so the cap is generous (a student's
 * `curl rng/100000` works) while one answer stays small in memory.
 */
export const MAX_BYTES = 1024 * 1024;

export type ByteCount = { count: number } | { error: string };

/** Parses the `<n>` of `GET /<n>`: a whole number of bytes from 0 to MAX_BYTES. */
export function parseByteCount(text: string): ByteCount {
  if (!/^\d+$/.test(text)) return { error: `n must be a whole number of bytes from 0 to ${MAX_BYTES}, not ${JSON.stringify(text)}` };
  const count = Number(text);
  if (count > MAX_BYTES) return { error: `n=${text} is more than rng's limit of ${MAX_BYTES} bytes per request` };
  return { count };
}

/** rng: `GET /<n>` answers n random bytes, one request at a time after the lesson's delay. */
export function buildRngApp(options: LessonServiceOptions): HttpService["app"] {
  const { app, registry } = createHttpService({ logger: options.logger });
  const desk = new SerialDesk({ delayMs: options.lessonDelayMs, capacity: options.queueLimit, registry, name: "rng" });
  const line = deskRoute(desk, { service: "rng", perClient: options.queueLimitPerClient });
  const banner = `RNG running on ${hostname()}\n`;

  app.get("/", async (_request, reply) => reply.type("text/plain; charset=utf-8").send(banner));

  app.get<{ Params: { n: string } }>("/:n", { onRequest: line.admit }, async (request, reply) => {
    const parsed = parseByteCount(request.params.n);
    if ("error" in parsed) return reply.code(400).type("text/plain; charset=utf-8").send(`${parsed.error}\n`);
    const bytes = await line.serve(request, () => randomBytes(parsed.count));
    return reply.type("application/octet-stream").send(bytes);
  });
  return app;
}
