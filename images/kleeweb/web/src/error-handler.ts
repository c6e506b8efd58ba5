import type { FastifyError, FastifyInstance } from "fastify";

/**
 * Client mistakes answer {"error": "<what was wrong>"} with their 4xx status;
 * anything else is logged and answers a bare 500, never a stack trace.
 */
export function installErrorHandler(app: FastifyInstance, limits: { maxBodyBytes: number; maxSourceBytes: number }): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err }, "request failed");
      return reply.code(500).send({ error: "internal error" });
    }
    const message =
      err.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? `the request body is larger than ${limits.maxBodyBytes} bytes (sources are limited to ${limits.maxSourceBytes} bytes)`
        : err.message;
    return reply.code(status).send({ error: message });
  });
}
