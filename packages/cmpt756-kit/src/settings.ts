import { ConfigError, LOG_LEVELS, envChoice, envPort, envString, envUrl, type LogLevel } from "@container-labs/service-kit";

/** What s1 and s2 both read: they differ only in their port and in s1's token lifetime. */
export interface FrontSettings {
  port: number;
  logLevel: LogLevel;
  /** The datastore API root, e.g. http://db:30002/api/v1/datastore. */
  dbUrl: string;
  jwtSecret: string;
}

type Env = Record<string, string | undefined>;

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
    jwtSecret,
  };
}
