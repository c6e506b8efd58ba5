/**
 * The /api routes, as the course's service answers them. POST /api/notify:
 * read the body, verify the optional token, judge the notification, store
 * its latency for the token's group, count the answer. Every answer is
 * text/plain, and the checks run in the course's order.
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { verifyGroupToken } from "@container-labs/notification-cipher";
import { readNotifyBody } from "./body";
import { judgeNotification } from "./judge";
import { METRICS_CONTENT_TYPE, type CourseMetrics } from "./metrics";
import { formatSeconds } from "./seconds";
import type { LatencyStore } from "./store";

const TEXT = "text/plain; charset=utf-8";

/** application/json and every application/<anything>+json, with any parameters, as the course's service takes. */
const JSON_TYPES = /^application\/(?:[^\s;/]+\+)?json(?:;|$)/;
const UNSUPPORTED = "Unsupported Media Type: the body must be JSON, with Content-Type: application/json (or application/*+json)";
const TOKEN_REFUSED = "Token must be encoded by ECC private key";
const INSERT_FAILED = "Failed to insert values";

export interface NotifyRoutesOptions {
  secretKey: Buffer;
  /** Verifies `?token=`; without it every token is refused. */
  tokenPublicKey?: KeyObject;
  /** Where a token's group's latencies go; without it they are not stored. */
  store?: LatencyStore;
  metrics: CourseMetrics;
}

function answer(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type(TEXT).send(text);
}

/** `?token=`; the first one if the parameter is repeated. */
function tokenParameter(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, string | string[] | undefined>).token;
  return Array.isArray(token) ? token[0] : token;
}

/** The /api routes. Register with `{ prefix: "/api" }`. */
export const notifyRoutes: FastifyPluginAsync<NotifyRoutesOptions> = async (api, options) => {
  // One key object for every request: the raw key would be re-imported by each decipher.
  const key = createSecretKey(options.secretKey);
  const { tokenPublicKey, store, metrics } = options;

  api.removeAllContentTypeParsers();
  api.addContentTypeParser(JSON_TYPES, { parseAs: "string" }, api.getDefaultJsonParser("error", "error"));

  api.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return answer(reply, status, status === 415 ? UNSUPPORTED : status >= 500 ? "Internal Server Error" : error.message);
  });

  api.post("/notify", async (request, reply) => {
    // No Content-Type and no body: fastify hands over no body at all.
    if (request.body === undefined) return answer(reply, 415, UNSUPPORTED);
    const reading = readNotifyBody(request.body);
    if (!reading.ok) return answer(reply, 400, reading.problem);
    const body = reading.body;

    let group: string | undefined;
    const token = tokenParameter(request);
    if (token !== undefined) {
      try {
        group = await verifyGroupToken(tokenPublicKey, token);
      } catch (err) {
        metrics.count("", "JwtError");
        request.log.info({ measurement_id: body.measurement_id, reason: (err as Error).message }, "token refused");
        return answer(reply, 500, TOKEN_REFUSED);
      }
    }

    const verdict = judgeNotification(key, body);
    if (!verdict.ok) {
      metrics.count(group ?? "", verdict.responseType);
      request.log.info({ measurement_id: body.measurement_id, group, status: verdict.status, answer: verdict.text }, "notification rejected");
      return answer(reply, verdict.status, verdict.text);
    }

    if (group !== undefined && store) {
      try {
        await store.insert({ experimentId: body.experiment_id, measurementId: body.measurement_id, groupId: group, latency: verdict.latency });
      } catch (err) {
        metrics.count(group, "InsertError");
        request.log.error({ err, measurement_id: body.measurement_id, group }, "latency not stored");
        return answer(reply, 500, INSERT_FAILED);
      }
    }
    metrics.count(group ?? "", "Ok");
    // Accepted notifications are the hot path and carry no news: debug. Rejections are worth a line.
    request.log.debug({ measurement_id: body.measurement_id, group, latency: verdict.latency }, "notification accepted");
    return answer(reply, 200, formatSeconds(verdict.latency));
  });

  // Another method on /api/notify is 405 whatever its body, so it is answered before any body is read.
  const methodNotAllowed = (_request: FastifyRequest, reply: FastifyReply): void => {
    void reply.code(405).header("allow", "POST").type(TEXT).send("Method Not Allowed");
  };
  api.route({ method: ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"], url: "/notify", onRequest: methodNotAllowed, handler: methodNotAllowed });

  api.get("/metrics", async (_request, reply) => reply.type(METRICS_CONTENT_TYPE).send(await metrics.text()));
};
