import { createHttpService, type HttpService, type Logger } from "@container-labs/service-kit";
import type { Redis } from "@container-labs/dockercoins-kit";
import { loadAssets } from "./assets";
import { readStats } from "./stats";

/** webui: the page that graphs the mining speed, and `GET /json`, the counters it polls. */
export function buildWebuiApp(logger: Logger, redis: Redis): HttpService["app"] {
  const { app } = createHttpService({
    logger,
    readiness: { path: "/ready", check: async () => void (await redis.ping()) },
  });

  app.get("/json", async (request, reply) => {
    try {
      return await readStats(redis);
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, "could not read the counters");
      return reply.code(503).send({ error: "redis is unreachable" });
    }
  });

  for (const [path, asset] of loadAssets()) {
    app.get(path, async (_request, reply) => reply.type(asset.contentType).header("cache-control", "no-cache").send(asset.body));
  }
  return app;
}
