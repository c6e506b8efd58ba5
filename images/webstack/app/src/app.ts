import fastifyStatic from "@fastify/static";
import { createHttpService, type Logger } from "@container-labs/service-kit";
import type { FastifyInstance } from "fastify";
import type { Pool } from "pg";
import { mediaHeaders } from "./media-headers";
import type { MediaQuota } from "./media-quota";
import { registerUploadRoutes } from "./upload-routes";
import { answerAfterWholeRequest } from "./whole-request";

export interface AppOptions {
  logger: Logger;
  pool: Pool;
  staticDir: string;
  mediaDir: string;
  maxUploadBytes: number;
  quota: MediaQuota;
}

/** The app one worker serves: the course's Flask routes plus health, readiness and metrics. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { app } = createHttpService({
    logger: options.logger,
    healthPath: "/health",
    readiness: { path: "/ready", check: async () => void (await options.pool.query("select 1")) },
  });

  answerAfterWholeRequest(app, options.maxUploadBytes);
  app.get("/", async () => ({ hello: "world" }));
  await registerUploadRoutes(app, options);
  // nginx serves these two in front of the app; the app serves them too, as Flask does in development.
  // Hidden files (an upload still being written) are never served; uploads never act as a page of this site.
  const common = { decorateReply: false, index: false, dotfiles: "ignore" } as const;
  await app.register(fastifyStatic, { ...common, root: options.staticDir, prefix: "/static/" });
  await app.register(fastifyStatic, {
    ...common,
    root: options.mediaDir,
    prefix: "/media/",
    setHeaders: (reply, path) => void reply.headers(mediaHeaders(path)),
  });
  return app;
}
