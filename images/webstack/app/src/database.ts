import { Client, type ClientConfig } from "pg";
import type { Logger } from "@container-labs/service-kit";

/** The URL with its password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

/** host:port of a PostgreSQL URL, the way an operator looks for it. */
export function databaseHost(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}`;
}

export function clientConfig(url: string): ClientConfig {
  return { connectionString: url, connectionTimeoutMillis: 2000 };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until PostgreSQL accepts a query, as the course's entrypoint polled
 * with `nc -z`; but bounded, so a wrong host fails the container instead of
 * hanging it.
 */
export async function waitForDatabase(url: string, timeoutMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const client = new Client(clientConfig(url));
    try {
      await client.connect();
      await client.query("select 1");
      logger.info({ database: redactUrl(url), attempt }, "database is up");
      return;
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new Error(
          `PostgreSQL at ${databaseHost(url)} did not accept connections within ${timeoutMs} ms ` +
            `(DB_WAIT_TIMEOUT_MS); last error: ${(err as Error).message}`,
        );
      }
      logger.debug({ database: redactUrl(url), attempt, error: (err as Error).message }, "waiting for the database");
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
  }
}

/** Runs `work` with one connection that is closed afterwards. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(clientConfig(url));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
