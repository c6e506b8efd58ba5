import { listen, type Logger } from "@container-labs/service-kit";
import { Pool } from "pg";
import { buildApp } from "./app";
import { clientConfig } from "./database";
import type { MediaQuota } from "./media-quota";
import type { Settings } from "./settings";

/** One server: a worker of the primary, or the only process. Its own small pool (readiness only) and the port. */
export async function runWorker(settings: Settings, logger: Logger, quota: MediaQuota): Promise<void> {
  const pool = new Pool({ ...clientConfig(settings.databaseUrl), max: 2, idleTimeoutMillis: 30000 });
  // An idle client that loses its server emits here; without a listener that would kill the worker.
  pool.on("error", (err) => logger.warn({ err }, "idle database connection failed"));
  const app = await buildApp({ logger, pool, ...settings, quota });
  await listen(app, { port: settings.port, onClose: () => pool.end() });
}
