import { createHttpService, createLogger, onShutdown, type Logger } from "@container-labs/service-kit";
import { JobStore, closeRedis, connectRedis, createPool, probe, redactUrl, retryUntil } from "@container-labs/kleeweb-kit";
import { readSettings, type WorkerSettings } from "./settings";
import type { JobRunner } from "./job-runner";
import { DockerRunner } from "./docker-runner";
import { LocalProcessRunner } from "./local-process-runner";
import { JobQueue } from "./job-queue";
import { Liveness } from "./liveness";
import { recoverJobs } from "./recovery";
import { Worker } from "./worker";

/** Time for closing connections after the current job is settled. */
const CLOSE_MARGIN_MS = 3000;

function createRunner(settings: WorkerSettings, logger: Logger): JobRunner {
  return settings.runner.kind === "docker"
    ? new DockerRunner(settings.runner.docker, settings.workerId, logger)
    : new LocalProcessRunner(settings.runner.command);
}

async function main(): Promise<void> {
  const settings = readSettings();
  const logger = createLogger("kleeweb-worker", settings.logLevel);
  logger.info(
    {
      workerId: settings.workerId,
      runner: settings.runner.kind,
      redis: redactUrl(settings.redisUrl),
      database: redactUrl(settings.databaseUrl),
      limits: settings.limits,
    },
    "starting",
  );

  const pool = createPool(settings.databaseUrl, logger);
  const store = new JobStore(pool);
  const redis = await connectRedis(settings.redisUrl, logger);
  const blocking = await connectRedis(settings.redisUrl, logger);
  const queue = new JobQueue(redis, blocking, settings.workerId);
  const recovery = { store, queue, maxAttempts: settings.maxAttempts, logger };

  // A container restarted under the same hostname finds the jobs its previous life held.
  await retryUntil("taking back this worker's unfinished jobs", () => recoverJobs(settings.workerId, recovery), logger);
  const liveness = new Liveness(redis, settings.workerId, settings.heartbeatTtlSeconds, recovery);
  await liveness.start();
  const worker = new Worker({ ...recovery, workerId: settings.workerId, runner: createRunner(settings, logger), limits: settings.limits });
  worker.start();

  const { app } = createHttpService({
    logger,
    readiness: { path: "/readiness", check: () => probe("redis", () => redis.ping()) },
  });
  await app.listen({ port: settings.port, host: settings.host });
  logger.info({ port: settings.port }, "worker taking jobs");

  const graceMs = settings.shutdownGraceSeconds * 1000;
  onShutdown(
    logger,
    async () => {
      await worker.stop(graceMs);
      await liveness.stop();
      await app.close();
      await Promise.all([closeRedis(redis), closeRedis(blocking)]);
      await pool.end();
    },
    { timeoutMs: graceMs + CLOSE_MARGIN_MS },
  );
}

main().catch((err: Error) => {
  console.error(`kleeweb-worker: ${err.message}`);
  process.exit(1);
});
