import type { FastifyInstance } from "fastify";
import {
  createFrontService,
  idRequired,
  objectRoutes,
  requireAuth,
  stringFields,
  type FrontSettings,
} from "@container-labs/cmpt756-kit";
import type { Logger } from "@container-labs/service-kit";

export const PREFIX = "/api/v1/music";

interface SongFields {
  Artist: string;
  SongTitle: string;
}

/**
 * The music service: every route under the prefix needs a token from s1's
 * login; a method its URL does not take is a 405 all the same.
 */
export function buildApp(settings: FrontSettings, logger: Logger): FastifyInstance {
  const { app, datastore, key } = createFrontService(settings, logger, PREFIX);

  app.register(
    async (api) => {
      api.register(idRequired("music", ["GET", "DELETE"]));
      api.register(async (signedIn) => {
        signedIn.addHook("onRequest", requireAuth(key));
        signedIn.post<{ Body: SongFields }>("/", { schema: { body: stringFields("Artist", "SongTitle") } }, (request) =>
          datastore.write("music", { ...request.body }),
        );
        signedIn.register(objectRoutes(datastore, "music"));
      });
    },
    { prefix: PREFIX },
  );
  return app;
}
