import cluster from "node:cluster";
import { createLogger, type Logger } from "@container-labs/service-kit";
import { prepareDatabase } from "./bootstrap";
import { ClusterQuota, keepMedia, localQuota, openMedia } from "./cluster-media";
import { redactUrl } from "./database";
import { collectStatic, ensureWritableDir } from "./directories";
import type { QuotaLedger } from "./media-quota";
import { BUNDLED_STATIC_DIR, readSettings, type Settings } from "./settings";
import { superviseWorkers } from "./supervisor";

const SERVICE = "webstack-app";

/** Everything that must hold once, before anything serves: volumes usable, database up and schema in place, the media ledger. */
async function prepare(settings: Settings, logger: Logger): Promise<QuotaLedger> {
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
  return openMedia(settings.mediaDir, settings.mediaQuotaBytes, logger);
}

/**
 * The server's modules (fastify and its plugins), required only in a process
 * that serves: a primary that supervises workers never holds them.
 */
const server = (): typeof import("./worker") => require("./worker") as typeof import("./worker");

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
  if (!cluster.isPrimary) {
    await server().runWorker(settings, base.child({ role: "worker", pid: process.pid }), new ClusterQuota());
    return;
  }
  if (settings.workers === 1) {
    // One worker serves in this process: a primary beside it would be a second
    // Node process's memory spent on supervision, and the container's restart
    // policy already replaces a process that dies (its unfinished uploads go at the next start).
    const logger = base.child({ role: "server" });
    const ledger = await prepare(settings, logger);
    await server().runWorker(settings, logger, localQuota(ledger));
    return;
  }
  const logger = base.child({ role: "primary" });
  const ledger = await prepare(settings, logger);
  keepMedia(settings.mediaDir, ledger, logger);
  superviseWorkers({ workers: settings.workers, logger });
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
