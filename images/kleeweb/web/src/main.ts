import { createHttpService, createLogger, listen } from "@container-labs/service-kit";
import { JobStore, closeRedis, connectRedis, createPool, probe, redactUrl, retryUntil } from "@container-labs/kleeweb-kit";
import { readSettings } from "./settings";
import { registerJobRoutes } from "./job-routes";
import { installErrorHandler } from "./error-handler";
import { registerPage } from "./page";

async function main(): Promise<void> {
  const settings = readSettings();
  const logger = createLogger("kleeweb-web", settings.logLevel);
  logger.info(
    {
      redis: redactUrl(settings.redisUrl),
      database: redactUrl(settings.databaseUrl),
      maxSourceBytes: settings.maxSourceBytes,
      jobBounds: settings.jobBounds,
    },
    "starting",
  );

  const pool = createPool(settings.databaseUrl, logger);
  const store = new JobStore(pool);
  await retryUntil("creating the job table", () => store.ensureSchema(), logger);
  const redis = await connectRedis(settings.redisUrl, logger);

  const { app, clientOf } = createHttpService({
    logger,
    bodyLimit: settings.maxBodyBytes,
    readiness: {
      path: "/readiness",
      check: async () => {
        await probe("postgres", () => pool.query("SELECT 1"));
        await probe("redis", () => redis.ping());
      },
    },
  });
  installErrorHandler(app, settings);
  registerPage(app);
  const { maxSourceBytes, jobBounds, retryAfterSeconds } = settings;
  registerJobRoutes(app, { store, redis, clientOf, maxSourceBytes, jobBounds, retryAfterSeconds });

  await listen(app, {
    port: settings.port,
    onClose: async () => {
      await closeRedis(redis);
      await pool.end();
    },
  });
}

main().catch((err: Error) => {
  console.error(`kleeweb-web: ${err.message}`);
  process.exit(1);
});
