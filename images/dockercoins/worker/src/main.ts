import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger, listen } from "@container-labs/service-kit";
import { closeRedis, connectRedis, runMain } from "@container-labs/dockercoins-kit";
import { buildWorkerApp } from "./app";
import { Bookkeeper } from "./bookkeeper";
import { Miner } from "./miner";
import { readWorkerSettings } from "./settings";
import { Tally } from "./tally";
import { Upstream } from "./upstream";

const REDIS_GRACE_MS = 2000;

runMain("worker", async () => {
  const settings = readWorkerSettings();
  const logger = createLogger("worker", settings.logLevel);
  const redis = connectRedis(settings.redisUrl, logger);
  const tally = new Tally();
  const miner = new Miner({
    upstream: new Upstream(settings.rngUrl, settings.hasherUrl, settings.requestTimeoutMs),
    tally,
    redisReady: () => redis.isReady,
    lessonDelayMs: settings.lessonDelayMs,
    backoffMaxMs: settings.backoffMaxMs,
    logger,
  });
  const bookkeeper = new Bookkeeper({ redis, workerId: randomUUID(), tally, intervalMs: settings.flushIntervalMs, logger });

  await listen(buildWorkerApp(logger, tally), {
    port: settings.port,
    // SIGTERM: finish the unit under way, write every counted hash, then leave.
    onClose: async () => {
      await miner.stop();
      await bookkeeper.stop();
      await closeRedis(redis);
    },
  });
  // A moment for the first connection, so the first unit of work does not fail for want of it.
  // (events.once would reject on the client's "error" events, which only mean it is retrying.)
  if (!redis.isReady) await Promise.race([new Promise((resolve) => redis.once("ready", resolve)), sleep(REDIS_GRACE_MS)]);
  miner.start();
  bookkeeper.start();
  logger.info({ rngUrl: settings.rngUrl, hasherUrl: settings.hasherUrl, lessonDelayMs: settings.lessonDelayMs }, "worker mining");
});
