import type { FastifyInstance } from "fastify";
import { createHttpService, type HttpService, type Logger } from "@container-labs/service-kit";
import { installJsonErrors } from "./errors";

export interface LabServiceOptions {
  logger: Logger;
  /** The service's API prefix without its trailing slash, e.g. "/api/v1/user". */
  prefix: string;
  /** What must be reachable before the service takes traffic. */
  ready: () => Promise<void>;
}

/**
 * The course's layout, kept for its probes and scrape configs: health and
 * readiness live under the service's prefix (GET /api/v1/user/health),
 * Prometheus metrics at the root (GET /metrics), outside any prefix.
 */
export function createLabService(options: LabServiceOptions): HttpService {
  const service = createHttpService({
    logger: options.logger,
    healthPath: `${options.prefix}/health`,
    metricsPath: "/metrics",
    readiness: { path: `${options.prefix}/readiness`, check: options.ready },
  });
  installJsonErrors(service.app);
  acceptEmptyJson(service.app);
  return service;
}

/**
 * Postman, and `curl -H 'Content-Type: application/json'`, send that header
 * on a GET or DELETE with no body; fastify's parser answers 400 "Body cannot
 * be empty". An empty JSON body is taken as no body: routes that need one
 * still answer 400 naming it ("body must be object").
 */
function acceptEmptyJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body.toString();
    if (text === "") return done(null, undefined);
    parseJson(request, text, done);
  });
}
