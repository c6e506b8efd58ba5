import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";

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

export interface ErrorAnswer {
  status: number;
  /** What the caller may read: the error's own message for a 4xx or an HttpError, else a message that leaks nothing. */
  message: string;
}

/**
 * What to answer for an error: fastify's own 4xx (bad JSON, a body failing
 * its schema, which names the missing field) keep their message; a crash is
 * logged and answered with a message that leaks nothing.
 */
export function errorAnswer(error: FastifyError, request: FastifyRequest): ErrorAnswer {
  const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
  if (status < 500) return { status, message: error.message };
  request.log.error({ err: error }, "request failed");
  return { status, message: error instanceof HttpError ? error.message : "internal error" };
}

/** Every error answer is `{"error": "<what went wrong>"}` (see errorAnswer). */
export function installJsonErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = errorAnswer(error, request);
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url.split("?")[0]}` }),
  );
}
