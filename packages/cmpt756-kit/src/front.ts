import type { FastifyInstance, FastifyPluginAsync, HTTPMethods } from "fastify";
import type { Logger } from "@container-labs/service-kit";
import { DatastoreClient, type Fields } from "./datastore-client";
import { HttpError } from "./errors";
import { createLabService } from "./layout";
import type { FrontSettings } from "./settings";
import { tokenKey, type TokenKey } from "./token";

export interface FrontService {
  app: FastifyInstance;
  datastore: DatastoreClient;
  key: TokenKey;
}

/** s1 and s2: the lab layout under `prefix`, ready once the datastore's health answers. */
export function createFrontService(settings: FrontSettings, logger: Logger, prefix: string): FrontService {
  const datastore = new DatastoreClient(settings.dbUrl, { timeoutMs: settings.dbTimeoutMs, connections: settings.dbConnections });
  const { app } = createLabService({ logger, prefix, ready: () => datastore.health() });
  app.addHook("onClose", () => datastore.close());
  return { app, datastore, key: tokenKey(settings.jwtSecret) };
}

/**
 * GET and DELETE /<objtype>_id, passed through to the datastore, as the
 * course's services did: GET answers the datastore's read (boto3's Query
 * answer, so an unknown id is a 200 with Count 0), DELETE its delete.
 */
export function objectRoutes(datastore: DatastoreClient, objtype: string): FastifyPluginAsync {
  const param = `${objtype}_id`;
  return async (api) => {
    api.get<{ Params: Record<string, string> }>(`/:${param}`, (request) => datastore.read(objtype, request.params[param]));
    api.delete<{ Params: Record<string, string> }>(`/:${param}`, (request) => datastore.remove(objtype, request.params[param]));
  };
}

/**
 * The collection's own URL (`/api/v1/user/`) takes only POST: the methods
 * that need an id answer 405 naming the URL that was meant, instead of
 * reaching the datastore with an empty key. Registered outside the token
 * check: which methods a URL takes is no secret.
 */
export function idRequired(objtype: string, methods: HTTPMethods[]): FastifyPluginAsync {
  return async (api) => {
    api.route({
      method: methods,
      url: "/",
      handler: async (request, reply) => {
        const path = request.url.split("?")[0].replace(/\/?$/, "/");
        return reply
          .code(405)
          .header("allow", "POST")
          .send({ error: `${request.method} ${path} needs a ${objtype}_id: ${request.method} ${path}<${objtype}_id>` });
      },
    });
  };
}

/** A JSON schema for a body of required, non-empty string fields; other fields are dropped. */
export function stringFields(...fields: string[]) {
  return {
    type: "object",
    required: fields,
    additionalProperties: false,
    properties: Object.fromEntries(fields.map((field) => [field, { type: "string", minLength: 1 }])),
  } as const;
}

/** A JSON schema for a body of optional, non-empty string fields; `someOf` picks them from the body. */
export function optionalStringFields(...fields: string[]) {
  return {
    type: "object",
    properties: Object.fromEntries(fields.map((field) => [field, { type: "string", minLength: 1 }])),
  } as const;
}

/**
 * The fields among `allowed` that a body sets, others dropped; a 400 naming
 * them, and what the body holds instead, when it sets none (the exercise's
 * table writes `{ Email, Fname }`; the course's services read lower case).
 */
export function someOf(body: Fields, allowed: readonly string[]): Fields {
  const chosen = Object.fromEntries(Object.entries(body).filter(([field]) => allowed.includes(field)));
  if (Object.keys(chosen).length > 0) return chosen;
  const others = Object.keys(body);
  const instead = others.length > 0 ? `; it has only ${others.join(", ")}` : "";
  throw new HttpError(400, `body must set at least one of ${allowed.join(", ")}${instead}`);
}
