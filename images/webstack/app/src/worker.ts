import { listen, type Logger } from "@container-labs/service-kit";
import { Pool } from "pg";
import { buildApp } from "./app";
import { ClusterQuota } from "./cluster-media";
import { clientConfig } from "./database";
import type { Settings } from "./settings";

/** One worker: its own small pool (readiness only) and the shared port. */
export async function runWorker(settings: Settings, logger: Logger): Promise<void> {
  const pool = new Pool({ ...clientConfig(settings.databaseUrl), max: 2, idleTimeoutMillis: 30000 });
  // An idle client that loses its server emits here; without a listener that would kill the worker.
  pool.on("error", (err) => logger.warn({ err }, "idle database connection failed"));
  const app = await buildApp({ logger, pool, ...settings, quota: new ClusterQuota() });
  await listen(app, { port: settings.port, onClose: () => pool.end() });
}
