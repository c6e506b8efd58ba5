/**
 * The API document Swagger UI shows at / (and /json serves): written out
 * here rather than derived from route schemas, because the body is read by
 * our own lenient reader (body.ts), not by a schema validator.
 */
import type { StaticDocumentSpec } from "@fastify/swagger";
import { EXAMPLE_BODY, EXAMPLE_SECRET_KEY, NOTIFICATION_TYPES, freshNotifyBody, secretKeyBytes, type NotifyBody } from "@container-labs/notification-cipher";

const text = (description: string) => ({ description, content: { "text/plain": { schema: { type: "string" as const } } } });

/**
 * The body Swagger UI's "Try it out" sends, which must answer 200: the
 * assignment's own request when the service has the assignment's key; with
 * another key, the same fields encrypted with it at start (its answer is then
 * the time since start). Without an example, Swagger UI sends "string" for
 * every member, which is 400 `Invalid cipher`.
 */
export function tryItBody(secretKey: Buffer): NotifyBody {
  if (secretKey.equals(secretKeyBytes(EXAMPLE_SECRET_KEY))) return EXAMPLE_BODY;
  const { cipher_data: _assignments, ...fields } = EXAMPLE_BODY;
  return freshNotifyBody(secretKey, fields);
}

/**
 * The server the document names. Without an external address, "/": OpenAPI
 * resolves a relative server URL against the document's own location, so
 * Swagger UI sends "Try it out" to the host and port the browser loaded it
 * from, whatever they are (another machine, a remapped port). With one, the
 * course's absolute `http://<external-ip>:<port>`.
 */
export function serverUrl(externalIp: string | undefined, port: number): string {
  return externalIp === undefined ? "/" : `http://${externalIp}:${port}`;
}

export function apiDocument(serverUrl: string, example: NotifyBody): StaticDocumentSpec["document"] {
  return {
    openapi: "3.0.3",
    info: { title: "notifications-service", version: "1.1", description: "The notifications lab's service." },
    servers: [{ url: serverUrl }],
    paths: {
      "/api/notify": {
        post: {
          tags: ["notifications"],
          summary: "Report a notification; answers its latency in seconds",
          parameters: [{
            name: "token",
            in: "query",
            required: false,
            description: "RS256 JWT whose `sub` names the group; checked before anything else",
            schema: { type: "string" },
          }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["notification_type", "researcher", "measurement_id", "experiment_id", "cipher_data"],
                  properties: {
                    notification_type: { type: "string", enum: [...NOTIFICATION_TYPES] },
                    researcher: { type: "string" },
                    measurement_id: { type: "string" },
                    experiment_id: { type: "string" },
                    cipher_data: { type: "string", description: 'base64(nonce) + "." + base64(ciphertext and GCM tag), unpadded' },
                  },
                },
                example,
              },
            },
          },
          responses: {
            200: text("Latency in seconds: server time minus the timestamp inside cipher_data"),
            400: text("The request could not be processed"),
            415: text("The body is not JSON (application/json or application/*+json)"),
            500: text("The cipher held no valid notification, the token did not verify, or the latency could not be stored"),
          },
        },
      },
      "/api/metrics": {
        get: {
          tags: ["notifications"],
          summary: "Answers counted by group and response type, in OpenMetrics text",
          responses: { 200: text("OpenMetrics text ending in # EOF") },
        },
      },
    },
  };
}
