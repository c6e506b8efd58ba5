import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { createHttpService, type Logger } from "@container-labs/service-kit";
import type { FastifyInstance } from "fastify";
import type { ServiceConfig } from "./config";
import { courseMetrics } from "./metrics";
import { notifyRoutes } from "./notify";
import { apiDocument, serverUrl, tryItBody } from "./openapi";
import { createLatencyStore, type LatencyStore } from "./store";

export interface NotificationsApp {
  app: FastifyInstance;
  /** Present when DATABASE_URL is set; close it after the app. */
  store?: LatencyStore;
}

/**
 * The whole service: the course's /api routes (POST /api/notify, GET
 * /api/metrics), /health for the container's HEALTHCHECK, and Swagger UI at /.
 */
export async function buildApp(config: ServiceConfig, logger: Logger): Promise<NotificationsApp> {
  // The course's metrics replace the kit's per-request ones: the counter is counted in the route itself.
  const { app } = createHttpService({ logger, metricsPath: null, bodyLimit: 64 * 1024 });
  const store = config.databaseUrl === undefined ? undefined : createLatencyStore(config.databaseUrl, logger);
  await app.register(swagger, { mode: "static", specification: { document: apiDocument(serverUrl(config.externalIp, config.port), tryItBody(config.secretKey)) } });
  await app.register(swaggerUi, { routePrefix: "/" });
  await app.register(notifyRoutes, { prefix: "/api", secretKey: config.secretKey, tokenPublicKey: config.tokenPublicKey, store, metrics: courseMetrics() });
  return { app, store };
}
