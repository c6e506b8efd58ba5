/**
 * POST /api/notify, the course's contract: decrypt cipher_data with the
 * server's key, check it against the body, answer the latency in seconds.
 * Every answer is text/plain; the checks run in the course's order.
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { STATUS_CODES } from "node:http";
import Ajv, { type ErrorObject } from "ajv";
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from "fastify";
import { Counter, type Registry } from "prom-client";
import {
  NOTIFICATION_TYPES, epochSeconds, openCipherData, parseHashData,
  type NotifyBody, type OpenFailure,
} from "@container-labs/notification-cipher";
import { formatSeconds } from "./seconds";

const TEXT = "text/plain; charset=utf-8";

export interface Answer {
  status: 200 | 400 | 500;
  text: string;
}

const OPEN_FAILURES: Record<OpenFailure, string> = {
  "invalid-cipher": "Invalid cipher",
  "malformed-nonce": "Malformed b64 encoded nonce",
  "malformed-ciphertext": "Malformed b64 encoded ciphertext",
  "not-encrypted-with-key": "Cipher text not encrypted with provided nonce and server key",
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The answer to a notification whose body has already been validated. */
export function answerNotification(key: Uint8Array | KeyObject, body: NotifyBody, now: () => number = epochSeconds): Answer {
  const opened = openCipherData(key, body.cipher_data);
  if (!opened.ok) return { status: 400, text: OPEN_FAILURES[opened.failure] };
  let plaintext: string;
  try {
    plaintext = strictUtf8.decode(opened.plaintext);
  } catch {
    return { status: 500, text: "Could not decode into utf8 string" };
  }
  const data = parseHashData(plaintext);
  if (!data) return { status: 500, text: "Could not deserialize json string into HashData." };

  for (const field of ["measurement_id", "experiment_id", "researcher"] as const) {
    if (body[field] !== data[field]) {
      return { status: 400, text: `Unexpected ${field} \`${body[field]}\`. Expected \`${data[field]}\`` };
    }
  }
  if (data.notification_type === null) {
    return { status: 400, text: `Unexpected notification. Measurement \`${data.measurement_id}\` should not have been notified` };
  }
  if (data.notification_type !== body.notification_type) {
    return { status: 400, text: `Unexpected notification_type \`${body.notification_type}\`. Expected \`${data.notification_type}\`` };
  }
  return { status: 200, text: formatSeconds(now() - data.timestamp) };
}

const FIELDS = ["notification_type", "researcher", "measurement_id", "experiment_id", "cipher_data"] as const;

export const notifyBodySchema = {
  type: "object",
  required: [...FIELDS],
  additionalProperties: false,
  properties: {
    notification_type: { type: "string", enum: [...NOTIFICATION_TYPES] },
    researcher: { type: "string" },
    measurement_id: { type: "string" },
    experiment_id: { type: "string" },
    cipher_data: { type: "string", description: 'base64(nonce) + "." + base64(ciphertext and GCM tag), unpadded' },
  },
} as const;

/** One line saying what is wrong with a body, in words a student can act on. */
function describe(error: ErrorObject): string {
  const field = error.instancePath.replace(/^\//, "");
  switch (error.keyword) {
    case "required":
      return `missing field \`${(error.params as { missingProperty: string }).missingProperty}\``;
    case "additionalProperties":
      return `unknown field \`${(error.params as { additionalProperty: string }).additionalProperty}\``;
    case "type":
      return field ? `\`${field}\` must be a string` : "the body must be a JSON object";
    case "enum":
      return `\`${field}\` must be one of ${NOTIFICATION_TYPES.map((t) => `\`${t}\``).join(", ")}`;
    default:
      return `${field || "the body"} ${error.message ?? "is not valid"}`;
  }
}

/** The response_type label of the course's response counter, after its response variants. */
function responseType(status: number): string {
  if (status === 200) return "Ok";
  return (STATUS_CODES[status] ?? String(status)).replace(/[^A-Za-z0-9]/g, "");
}

export interface NotifyRoutesOptions {
  secretKey: Buffer;
  registry: Registry;
}

/** The /api routes. Register with `{ prefix: "/api" }`. */
export const notifyRoutes: FastifyPluginAsync<NotifyRoutesOptions> = async (api: FastifyInstance, options) => {
  // One key object for every request: the raw key would be re-imported by each decipher.
  const key = createSecretKey(options.secretKey);
  const responses = new Counter({
    name: "notifications_service_response_count",
    help: "Answers of POST /api/notify, by response type",
    labelNames: ["response_type"],
    registers: [options.registry],
  });

  // Strict JSON only: no other content type is parsed, nothing is coerced or silently dropped.
  api.removeAllContentTypeParsers();
  api.addContentTypeParser("application/json", { parseAs: "string" }, api.getDefaultJsonParser("error", "error"));
  const ajv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true });
  api.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  api.setSchemaErrorFormatter((errors) => new Error(`Invalid request body: ${describe(errors[0] as ErrorObject)}`));

  api.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    let text = error.message;
    if (status === 415) text = "Unsupported Media Type: the body must be JSON with Content-Type: application/json";
    else if (status >= 500) {
      request.log.error({ err: error }, "notify failed");
      text = "Internal Server Error";
    }
    return reply.code(status).type(TEXT).send(text);
  });

  api.addHook("onResponse", (request, reply, done) => {
    if (request.routeOptions.url === "/api/notify") responses.inc({ response_type: responseType(reply.statusCode) });
    done();
  });

  api.post(
    "/notify",
    {
      schema: {
        tags: ["notifications"],
        summary: "Report a notification; answers its latency in seconds",
        body: notifyBodySchema,
        response: {
          200: { description: "Latency in seconds: server time minus the timestamp inside cipher_data", content: { "text/plain": { schema: { type: "string" } } } },
          400: { description: "The request could not be processed", content: { "text/plain": { schema: { type: "string" } } } },
          500: { description: "The cipher held no valid notification", content: { "text/plain": { schema: { type: "string" } } } },
        },
      },
      preValidation: (request, _reply, done) => {
        const missing = request.headers["content-type"] === undefined;
        done(missing ? Object.assign(new Error("Unsupported Media Type"), { statusCode: 415 }) : undefined);
      },
    },
    async (request, reply) => {
      const body = request.body as NotifyBody;
      const answer = answerNotification(key, body);
      // Accepted notifications are the hot path and carry no news: debug. Rejections are worth a line.
      const fields = { measurement_id: body.measurement_id, status: answer.status, answer: answer.text };
      if (answer.status === 200) request.log.debug(fields, "notification accepted");
      else request.log.info(fields, "notification rejected");
      return reply.code(answer.status).type(TEXT).send(answer.text);
    },
  );
};
