import type { createClient } from "@redis/client";
import type { Logger } from "@container-labs/service-kit";

export type Redis = ReturnType<typeof createClient>;

/** Reconnect attempts wait longer each time, up to this. */
const RECONNECT_CAP_MS = 2000;

/**
 * A node-redis client that keeps reconnecting while redis is away and fails
 * commands at once meanwhile (no offline queue), so callers see the outage
 * instead of piling up commands; it logs the outage and the recovery once each.
 * Connecting is started, not awaited: the service runs before redis does.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  // Required here, not imported: node-redis is hundreds of modules, which rng and hasher (no redis) would hold for nothing.
  const { createClient } = require("@redis/client") as typeof import("@redis/client");
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 5000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, RECONNECT_CAP_MS) },
  });
  let reachable = true;
  client.on("error", (err: Error) => {
    if (!reachable) return;
    reachable = false;
    logger.warn({ err: err.message }, "redis unreachable, reconnecting");
  });
  client.on("ready", () => {
    if (!reachable) logger.info("redis reachable again");
    reachable = true;
  });
  client.connect().catch((err: Error) => logger.error({ err: err.message }, "redis client gave up connecting"));
  return client;
}

/** Closes the client whether or not it is connected right now. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.isReady) await client.quit();
  else if (client.isOpen) await client.disconnect();
}
