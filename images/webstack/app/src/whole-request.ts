import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";

/**
 * Room above MAX_UPLOAD_BYTES for the rest of a request nginx passes: the lab
 * sets nginx's CLIENT_MAX_BODY_SIZE 64 KiB above it for the multipart framing
 * (components/labs/webstack), well within this.
 */
export const FRAMING_ALLOWANCE_BYTES = 1024 * 1024;

/**
 * The app answers a request only once it has read the whole request body.
 *
 * nginx streams uploads to the app as they arrive (proxy_request_buffering
 * off). An answer sent while nginx is still sending the body breaks the
 * exchange: fastify's text and JSON parsers answered 413 past 1 MiB before
 * reading and closed the connection, so nginx's next write met a reset and
 * the client got 502 (issue 26: 2 of 5 tries); an early answer on a kept
 * connection (415, 404, a form without a file) left nginx to drop the
 * client's connection after answering it, and the client's next request on
 * it found the socket closed.
 *
 * So no body is parsed or buffered but /upload's multipart form, which the
 * route reads as a stream (@fastify/multipart adds its own parser); any other
 * is read and discarded before its route's refusal (415 on /upload, 404 where
 * nothing takes a POST) goes out, and the connection stays usable.
 *
 * The bound: at most MAX_UPLOAD_BYTES plus FRAMING_ALLOWANCE_BYTES are read
 * and discarded after the route has decided. nginx never passes more than
 * CLIENT_MAX_BODY_SIZE, so everything nginx forwards is read to its end. Only
 * a client that reaches the app directly can pass the bound: it gets its
 * answer and the connection is closed.
 */
export function answerAfterWholeRequest(app: FastifyInstance, maxUploadBytes: number): void {
  const discardLimitBytes = maxUploadBytes + FRAMING_ALLOWANCE_BYTES;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _body, done) => done(null));
  app.addHook("onSend", async (request, reply) => {
    if (!(await discardRest(request.raw, discardLimitBytes))) reply.header("connection", "close");
  });
}

/** Reads what is left of `body` and drops it; false if more than `limitBytes` were left (reading stops there). */
function discardRest(body: IncomingMessage, limitBytes: number): Promise<boolean> {
  if (body.complete || body.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = (withinLimit: boolean) => {
      body.off("data", count).off("end", ended).off("close", ended);
      resolve(withinLimit);
    };
    const count = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limitBytes) finish(false);
    };
    const ended = () => finish(true);
    body.on("data", count).on("end", ended).on("close", ended);
    body.resume();
  });
}
