import type { FastifyError, FastifyInstance } from "fastify";

/** An error whose status and message are meant for the caller, e.g. a 404 for an unknown user. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Every error answer is `{"error": "<what went wrong>"}`: fastify's own 4xx
 * (bad JSON, a body failing its schema, which names the missing field) keep
 * their message; a crash is logged and answered with a message that leaks nothing.
 */
export function installJsonErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: error.message });
    request.log.error({ err: error }, "request failed");
    return reply.code(status).send({ error: error instanceof HttpError ? error.message : "internal error" });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url.split("?")[0]}` }),
  );
}
