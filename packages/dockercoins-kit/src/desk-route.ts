import type { FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import type { Place, SerialDesk } from "./serial-desk";

/**
 * A route served at a desk. `admit` is the route's onRequest hook: it gives
 * the request a place in the desk's line before its body is read, or answers
 * 503 with Retry-After when the line is full or the request's client already
 * holds its share of it (once its body is in, dropped unread); the place is
 * given up when the response closes (sent, or its client went away). `serve`
 * runs the request's work at its turn.
 */
export interface DeskRoute {
  admit: onRequestHookHandler;
  serve<T>(request: FastifyRequest, work: () => T | Promise<T>): Promise<T>;
}

export interface DeskRouteOptions {
  /** Named in the 503's text, e.g. "rng". */
  service: string;
  /**
   * The most places one client address may hold, so that one client's flood
   * cannot fill the line: the lab's workers, each a container with an address
   * of its own, keep getting in.
   */
  perClient: number;
}

export function deskRoute(desk: SerialDesk, options: DeskRouteOptions): DeskRoute {
  const places = new WeakMap<FastifyRequest, Place>();
  const heldBy = new Map<string, number>();

  const answerBusy = (request: FastifyRequest, reply: FastifyReply, why: string, placesAhead: number): void => {
    const wait = desk.secondsToServe(placesAhead);
    const send = (): void => {
      void reply
        .code(503)
        .header("retry-after", String(wait))
        .type("text/plain; charset=utf-8")
        .send(`${options.service} is busy: ${why}; retry after ${wait} s\n`);
    };
    // The body is let in and dropped unread before the answer. Answered while the client is still sending,
    // a client that asked for `Connection: close` is cut off: Node closes the socket right after the answer,
    // the unread bytes turn that close into a reset, and the client gets EPIPE instead of the 503.
    if (request.raw.complete) {
      send();
      return;
    }
    request.raw.once("end", send);
    request.raw.resume();
  };

  return {
    admit(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
      const client = request.socket.remoteAddress ?? "unknown";
      const held = heldBy.get(client) ?? 0;
      if (held >= options.perClient && !desk.full) {
        desk.turnAway();
        answerBusy(request, reply, `this client already has ${options.perClient} requests in line (QUEUE_LIMIT_PER_CLIENT)`, options.perClient);
        return;
      }
      const place = desk.enter();
      if (!place) {
        answerBusy(request, reply, `${desk.capacity} requests are already in line (QUEUE_LIMIT)`, desk.capacity);
        return;
      }
      heldBy.set(client, held + 1);
      places.set(request, place);
      // 'close' comes once the response is sent or the connection is gone, whichever happens.
      reply.raw.once("close", () => {
        place.leave();
        const left = (heldBy.get(client) ?? 1) - 1;
        if (left > 0) heldBy.set(client, left);
        else heldBy.delete(client);
      });
      done();
    },
    serve<T>(request: FastifyRequest, work: () => T | Promise<T>): Promise<T> {
      const place = places.get(request);
      if (!place) throw new Error(`${request.method} ${request.url} was not admitted: the route needs onRequest: admit`);
      return place.serve(work);
    },
  };
}
