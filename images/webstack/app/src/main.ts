import cluster from "node:cluster";
import { createLogger, type Logger } from "@container-labs/service-kit";
import { prepareDatabase } from "./bootstrap";
import { keepMedia } from "./cluster-media";
import { redactUrl } from "./database";
import { collectStatic, ensureWritableDir } from "./directories";
import { BUNDLED_STATIC_DIR, readSettings, type Settings } from "./settings";
import { superviseWorkers } from "./supervisor";

const SERVICE = "webstack-app";

/** Everything that must hold once, before any worker serves: volumes usable, database up and schema in place. */
async function runPrimary(settings: Settings, logger: Logger): Promise<void> {
  logger.info(
    {
      profile: settings.profile,
      port: settings.port,
      workers: settings.workers,
      database: redactUrl(settings.databaseUrl),
      staticDir: settings.staticDir,
      mediaDir: settings.mediaDir,
      maxUploadBytes: settings.maxUploadBytes,
      mediaQuotaBytes: settings.mediaQuotaBytes,
    },
    "starting",
  );
  ensureWritableDir("MEDIA_DIR", settings.mediaDir);
  if (collectStatic(BUNDLED_STATIC_DIR, settings.staticDir)) logger.info({ from: BUNDLED_STATIC_DIR }, "static files collected");
  await prepareDatabase(settings.databaseUrl, settings.dbWaitTimeoutMs, settings.profile, logger);
  keepMedia(settings.mediaDir, settings.mediaQuotaBytes, logger);
  superviseWorkers({ workers: settings.workers, logger });
}

function fail(message: string): never {
  // One JSON line, so the message shows in `docker logs` next to the others.
  console.error(JSON.stringify({ level: "fatal", service: SERVICE, msg: message }));
  process.exit(1);
}

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = readSettings();
  } catch (err) {
    fail((err as Error).message);
  }
  const base = createLogger(SERVICE, settings.logLevel);
  if (cluster.isPrimary) {
    await runPrimary(settings, base.child({ role: "primary" }));
  } else {
    // Required in the workers only: the primary never serves, and the server's
    // modules (fastify and its plugins) were a third of its idle memory.
    const { runWorker } = require("./worker") as typeof import("./worker");
    await runWorker(settings, base.child({ role: "worker", pid: process.pid }));
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
