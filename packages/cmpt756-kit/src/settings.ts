import { ConfigError, LOG_LEVELS, envChoice, envInt, envPort, envString, envUrl, type LogLevel } from "@container-labs/service-kit";

/** What s1 and s2 both read: they differ only in their port and in s1's token lifetime. */
export interface FrontSettings {
  port: number;
  logLevel: LogLevel;
  /** The datastore API root, e.g. http://db:30002/api/v1/datastore. */
  dbUrl: string;
  /** How long one call to the datastore may take before the caller gets a 504. */
  dbTimeoutMs: number;
  /** Connections kept open to the datastore. */
  dbConnections: number;
  jwtSecret: string;
}

type Env = Record<string, string | undefined>;

/** Far above a datastore call's usual milliseconds: only a datastore that is down or swamped meets it. */
const DEFAULT_DB_TIMEOUT_MS = 10_000;
/** One per connection of the course's 64-connection load test; more calls wait their turn in the pool. */
const DEFAULT_DB_CONNECTIONS = 64;

/** HS256 keys shorter than the hash (32 bytes) weaken it; a short secret is a deployment mistake. */
const MIN_SECRET_LENGTH = 32;

export function readFrontSettings(defaultPort: number, env: Env = process.env): FrontSettings {
  const jwtSecret = envString("JWT_SECRET", undefined, env);
  if (jwtSecret.length < MIN_SECRET_LENGTH) {
    // The value itself stays out of the message: it is a secret.
    throw new ConfigError("JWT_SECRET", `<${jwtSecret.length} characters>`, `at least ${MIN_SECRET_LENGTH} characters`);
  }
  return {
    port: envPort(defaultPort, "PORT", env),
    logLevel: envChoice("LOG_LEVEL", LOG_LEVELS, "info", env),
    dbUrl: envUrl("DB_URL", undefined, env),
    dbTimeoutMs: envInt("DB_TIMEOUT_MS", DEFAULT_DB_TIMEOUT_MS, { min: 100, max: 120_000 }, env),
    dbConnections: envInt("DB_CONNECTIONS", DEFAULT_DB_CONNECTIONS, { min: 1, max: 1024 }, env),
    jwtSecret,
  };
}
