import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import type { Logger } from "pino";
import { instrument } from "./metrics";
import { onShutdown } from "./shutdown";

export interface HttpServiceOptions {
  logger: Logger;
  /** Liveness route; answers {"status":"ok"} while the process serves. */
  healthPath?: string;
  /** Prometheus route; set to null for a service that exposes its own. */
  metricsPath?: string | null;
  /** Readiness route and its check: answers 503 with the check's error until it resolves. */
  readiness?: { path: string; check: () => Promise<void> };
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
}

export interface HttpService {
  app: FastifyInstance;
  registry: Registry;
}

/** A fastify app with the project's defaults: JSON logs, health, readiness and metrics routes. */
export function createHttpService(options: HttpServiceOptions): HttpService {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // A log line per request would dominate the cost of a small request; keep them for debug level.
    logController: new LogController({ disableRequestLogging: !options.logger.isLevelEnabled("debug") }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
  });
  const registry = new Registry();
  if (options.metricsPath !== null) instrument(app, registry, options.metricsPath ?? "/metrics");

  app.get(options.healthPath ?? "/health", async () => ({ status: "ok" }));

  const readiness = options.readiness;
  if (readiness) {
    app.get(readiness.path, async (request, reply) => {
      try {
        await readiness.check();
        return { status: "ready" };
      } catch (err) {
        request.log.warn({ err }, "not ready");
        return reply.code(503).send({ status: "not ready", error: (err as Error).message });
      }
    });
  }
  return { app, registry };
}

export interface ListenOptions {
  port: number;
  host?: string;
  /** Extra cleanup after the server stops accepting requests (close pools, clients). */
  onClose?: () => Promise<void>;
}

/** Listens, logs where, and closes gracefully on SIGTERM/SIGINT. Returns the bound port. */
export async function listen(app: FastifyInstance, options: ListenOptions): Promise<number> {
  onShutdown(app.log as Logger, async () => {
    await app.close();
    await options.onClose?.();
  });
  await app.listen({ port: options.port, host: options.host ?? "0.0.0.0" });
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : options.port;
}
