import type { FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import type { Place, SerialDesk } from "./serial-desk";

/**
 * A route served at a desk. `admit` is the route's onRequest hook: it gives
 * the request a place in the desk's line before its body is read, or answers
 * 503 with Retry-After when the line is full; the place is given up when the
 * response closes (sent, or its client went away). `serve` runs the
 * request's work at its turn.
 */
export interface DeskRoute {
  admit: onRequestHookHandler;
  serve<T>(request: FastifyRequest, work: () => T | Promise<T>): Promise<T>;
}

export function deskRoute(desk: SerialDesk, service: string): DeskRoute {
  const places = new WeakMap<FastifyRequest, Place>();
  return {
    admit(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
      const place = desk.enter();
      if (!place) {
        const wait = desk.retryAfterSeconds;
        void reply
          .code(503)
          .header("retry-after", String(wait))
          .type("text/plain; charset=utf-8")
          .send(`${service} is busy: ${desk.capacity} requests are already in line (QUEUE_LIMIT); retry after ${wait} s\n`);
        return;
      }
      places.set(request, place);
      // 'close' comes once the response is sent or the connection is gone, whichever happens.
      reply.raw.once("close", place.leave);
      done();
    },
    serve<T>(request: FastifyRequest, work: () => T | Promise<T>): Promise<T> {
      const place = places.get(request);
      if (!place) throw new Error(`${request.method} ${request.url} was not admitted: the route needs onRequest: admit`);
      return place.serve(work);
    },
  };
}
