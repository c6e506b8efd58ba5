import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { HttpError, createLabService, stringFields, type Fields } from "@container-labs/cmpt756-kit";
import type { Logger } from "@container-labs/service-kit";
import { checkItem } from "./document";
import { loadErrorHandler } from "./load-errors";
import { checkLoaderAuth } from "./loader-auth";
import { OBJTYPES, resolveObjtype, tableRef, type TableRef } from "./objtypes";
import type { ObjectStore } from "./store";

export const PREFIX = "/api/v1/datastore";

export interface DatastoreOptions {
  logger: Logger;
  store: ObjectStore;
  tableSuffix: string;
  loaderToken?: string;
}

interface ObjectQuery {
  objtype: string;
  objkey: string;
}

const objectQuery = {
  type: "object",
  required: ["objtype", "objkey"],
  properties: { objtype: { type: "string", minLength: 1 }, objkey: { type: "string", minLength: 1 } },
} as const;

/** The datastore stores whatever fields it is given, next to the ones it needs. */
const bodyWith = (...required: string[]) => ({ ...stringFields(...required), additionalProperties: true });

/** The fields to store: the body without objtype (and uuid, for /load). */
function fieldsOf(body: Fields, ...drop: string[]): Fields {
  return Object.fromEntries(Object.entries(body).filter(([field]) => !drop.includes(field)));
}

function refuseKeyField(ref: TableRef, fields: Fields, why: string): void {
  if (ref.key in fields) throw new HttpError(400, `${ref.key} ${why}`);
}

/** The datastore API: the course's read/write/update/delete/load over DynamoDB, under /api/v1/datastore. */
export function buildApp(options: DatastoreOptions): FastifyInstance {
  const { store, tableSuffix, loaderToken } = options;
  const tables = OBJTYPES.map((objtype) => tableRef(objtype, tableSuffix).table);
  const { app } = createLabService({ logger: options.logger, prefix: PREFIX, ready: () => store.checkTables(tables) });
  const resolve = (objtype: string): TableRef => resolveObjtype(objtype, tableSuffix);

  app.register(
    async (api) => {
      api.get<{ Querystring: ObjectQuery }>("/read", { schema: { querystring: objectQuery } }, (request) => {
        const { objtype, objkey } = request.query;
        return store.read(resolve(objtype), objkey);
      });

      api.post<{ Body: Fields & { objtype: string } }>("/write", { schema: { body: bodyWith("objtype") } }, async (request) => {
        const ref = resolve(request.body.objtype);
        const fields = fieldsOf(request.body, "objtype");
        refuseKeyField(ref, fields, "is chosen by the datastore; POST /load stores an object under a given id");
        const id = randomUUID();
        checkItem({ ...fields, [ref.key]: id });
        await store.put(ref, id, fields);
        return { [ref.key]: id };
      });

      api.put<{ Querystring: ObjectQuery; Body: Fields }>(
        "/update",
        { schema: { querystring: objectQuery, body: { type: "object", minProperties: 1 } } },
        (request) => {
          const ref = resolve(request.query.objtype);
          refuseKeyField(ref, request.body, "is the object's key and cannot be updated");
          checkItem({ ...request.body, [ref.key]: request.query.objkey });
          return store.update(ref, request.query.objkey, request.body);
        },
      );

      api.delete<{ Querystring: ObjectQuery }>("/delete", { schema: { querystring: objectQuery } }, (request) =>
        store.remove(resolve(request.query.objtype), request.query.objkey),
      );

      api.post<{ Body: Fields & { objtype: string; uuid: string } }>(
        "/load",
        {
          schema: { body: bodyWith("objtype", "uuid") },
          errorHandler: loadErrorHandler,
          // Authentication before the body is validated, so an anonymous caller learns nothing about the schema.
          onRequest: async (request, reply) => {
            if (loaderToken === undefined) throw new HttpError(403, "/load is disabled: SVC_LOADER_TOKEN is not set");
            const auth = checkLoaderAuth(request.headers.authorization, loaderToken);
            if (!auth.ok) {
              reply.header("www-authenticate", 'Basic realm="svc-loader"');
              throw new HttpError(401, auth.error);
            }
          },
        },
        async (request) => {
          const ref = resolve(request.body.objtype);
          const fields = fieldsOf(request.body, "objtype", "uuid");
          refuseKeyField(ref, fields, "comes from uuid in a /load body");
          checkItem({ ...fields, [ref.key]: request.body.uuid });
          await store.put(ref, request.body.uuid, fields);
          return { [ref.key]: request.body.uuid };
        },
      );
    },
    { prefix: PREFIX },
  );
  return app;
}
