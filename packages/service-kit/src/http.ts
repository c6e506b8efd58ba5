import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { Registry } from "prom-client";
import type { Logger } from "pino";
import { envHost } from "./env";
import { clientAddress, readTrustedProxies } from "./client-address";
import { capConnections } from "./connection-cap";
import { DEFAULT_SERVER_LIMITS, readServerLimits, type ServerLimits } from "./limits";
import { answerWrongMethodWith405 } from "./method-not-allowed";
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
  /** This service's defaults for its timeouts and connection cap; each HTTP_* environment variable overrides its own. */
  limits?: Partial<ServerLimits>;
}

export interface HttpService {
  app: FastifyInstance;
  registry: Registry;
  /** Who sent a request: its peer's address, or the X-Real-IP a trusted proxy (HTTP_TRUSTED_PROXIES) set. */
  clientOf: (request: FastifyRequest) => string;
}

/** How often Node looks for requests past their headers or request timeout (its default, 30 s, would let them run over by that much). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * A fastify app with the project's defaults: JSON logs, health, readiness and
 * metrics routes, and server limits (see ServerLimits) read from the environment.
 */
export function createHttpService(options: HttpServiceOptions): HttpService {
  const limits = readServerLimits(process.env, { ...DEFAULT_SERVER_LIMITS, ...options.limits });
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // A log line per request would dominate the cost of a small request; keep them for debug level.
    logController: new LogController({ disableRequestLogging: !options.logger.isLevelEnabled("debug") }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
  });
  const trustedProxies = readTrustedProxies();
  capConnections(app, { max: limits.maxConnections, perAddress: limits.maxConnectionsPerAddress, trustedProxies });
  answerWrongMethodWith405(app);
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
  return { app, registry, clientOf: (request) => clientAddress(request, trustedProxies) };
}

export interface ListenOptions {
  port: number;
  /** Address to listen on; HOST by default, else 0.0.0.0 (what the container's host publishes is the program's choice). */
  host?: string;
  /** Extra cleanup after the server stops accepting requests (close pools, clients). */
  onClose?: () => Promise<void>;
}

/** Listens, logs where, and closes gracefully on SIGTERM/SIGINT. Returns the bound port. */
export async function listen(app: FastifyInstance, options: ListenOptions): Promise<number> {
  const host = options.host ?? envHost("HOST", "0.0.0.0");
  onShutdown(app.log as Logger, async () => {
    await app.close();
    await options.onClose?.();
  });
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : options.port;
}
