import { createClient } from "@redis/client";
import { Pool } from "pg";
import type { Logger } from "@container-labs/service-kit";

export type RedisClient = ReturnType<typeof createClient>;

/** The URL with its password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

/** Rejects naming `what` if `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A redis client that reconnects on its own. Connection errors are logged, not
 * thrown: an unhandled 'error' event would crash the process on a redis restart.
 * While disconnected, commands fail at once instead of queueing, so a request
 * answers 503 rather than hanging.
 */
export async function connectRedis(url: string, logger: Logger, connectTimeoutMs = 30000): Promise<RedisClient> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  });
  client.on("error", (err: Error) => logger.warn({ redis: redactUrl(url), error: err.message }, "redis connection error"));
  await withTimeout(client.connect(), connectTimeoutMs, `redis at ${redactUrl(url)}`);
  return client;
}

/** A small pool; idle-client errors (e.g. PostgreSQL restarting) are logged instead of crashing. */
export function createPool(url: string, logger: Logger): Pool {
  const pool = new Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 5000 });
  pool.on("error", (err) => logger.warn({ database: redactUrl(url), error: err.message }, "postgres connection error"));
  return pool;
}

/**
 * Retries `attempt` until it succeeds or `timeoutMs` passes: at start the
 * database or redis may still be booting next to us.
 */
export async function retryUntil<T>(what: string, attempt: () => Promise<T>, logger: Logger, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() >= deadline) throw new Error(`${what} failed for ${timeoutMs} ms: ${(err as Error).message}`);
      logger.warn({ error: (err as Error).message }, `${what} failed, retrying`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** A readiness probe of one dependency: fails within `timeoutMs`, naming the dependency. */
export async function probe(name: string, call: () => Promise<unknown>, timeoutMs = 2000): Promise<void> {
  try {
    await withTimeout(call(), timeoutMs, name);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

/** QUIT when connected; while redis is down there is nobody to say goodbye to, so just drop the socket. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.isReady) await client.quit();
  else if (client.isOpen) await client.disconnect();
}
