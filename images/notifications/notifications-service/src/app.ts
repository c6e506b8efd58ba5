import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { createHttpService, type HttpService, type Logger } from "@container-labs/service-kit";
import type { ServiceConfig } from "./config";
import { notifyRoutes } from "./notify";

/**
 * The whole service: POST /api/notify, Prometheus text at /api/metrics (as the
 * course has it), /health for the container's HEALTHCHECK, and Swagger UI at /.
 */
export async function buildApp(config: ServiceConfig, logger: Logger): Promise<HttpService> {
  const service = createHttpService({ logger, metricsPath: "/api/metrics", bodyLimit: 64 * 1024 });
  const { app, registry } = service;
  await app.register(swagger, {
    openapi: {
      info: { title: "notifications-service", version: "1.0", description: "The notifications lab's service." },
      servers: [{ url: `http://${config.externalIp}:${config.port}` }],
    },
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: "/" });
  await app.register(notifyRoutes, { prefix: "/api", secretKey: config.secretKey, registry });
  return service;
}
