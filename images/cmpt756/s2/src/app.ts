import type { FastifyInstance } from "fastify";
import {
  createFrontService,
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

/** The music service: every route under the prefix needs a token from s1's login. */
export function buildApp(settings: FrontSettings, logger: Logger): FastifyInstance {
  const { app, datastore, key } = createFrontService(settings, logger, PREFIX);

  app.register(
    async (api) => {
      api.addHook("onRequest", requireAuth(key));
      api.post<{ Body: SongFields }>("/", { schema: { body: stringFields("Artist", "SongTitle") } }, (request) =>
        datastore.write("music", { ...request.body }),
      );
      api.register(objectRoutes(datastore, "music"));
    },
    { prefix: PREFIX },
  );
  return app;
}
