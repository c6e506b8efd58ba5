import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Logger } from "@container-labs/service-kit";
import { DatastoreClient } from "./datastore-client";
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
  const datastore = new DatastoreClient(settings.dbUrl);
  const { app } = createLabService({ logger, prefix, ready: () => datastore.health() });
  return { app, datastore, key: tokenKey(settings.jwtSecret) };
}

/**
 * GET and DELETE /<objtype>_id, passed through to the datastore. GET answers
 * the datastore's read as is, {"Count", "Items", "ScannedCount"}, as the
 * course's services did, so an unknown id is a 200 with Count 0.
 */
export function objectRoutes(datastore: DatastoreClient, objtype: string): FastifyPluginAsync {
  const param = `${objtype}_id`;
  return async (api) => {
    api.get<{ Params: Record<string, string> }>(`/:${param}`, (request) => datastore.read(objtype, request.params[param]));
    api.delete<{ Params: Record<string, string> }>(`/:${param}`, (request) => datastore.remove(objtype, request.params[param]));
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
