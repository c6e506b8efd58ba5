import { resolve } from "node:path";
import { ConfigError, envChoice, envInt, envOptional, envPort, envString, LOG_LEVELS, type LogLevel } from "@container-labs/service-kit";

export const PROFILES = ["development", "production"] as const;
export type Profile = (typeof PROFILES)[number];

/** The static files shipped with the image; copied into STATIC_DIR at start when that is elsewhere. */
export const BUNDLED_STATIC_DIR = resolve(__dirname, "..", "static");

export interface DatabaseSettings {
  databaseUrl: string;
  dbWaitTimeoutMs: number;
}

export interface Settings extends DatabaseSettings {
  port: number;
  workers: number;
  profile: Profile;
  logLevel: LogLevel;
  staticDir: string;
  mediaDir: string;
  maxUploadBytes: number;
  mediaQuotaBytes: number;
}

type Env = Record<string, string | undefined>;

function postgresUrl(name: string, env: Env): string {
  const value = envString(name, undefined, env);
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = "";
  }
  // Never echo the value: it carries the database password.
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new ConfigError(name, "<redacted>", "a URL such as postgres://user:password@host:5432/database");
  }
  return value;
}

/** What the database commands need: where PostgreSQL is and how long to wait for it. */
export function readDatabaseSettings(env: Env = process.env): DatabaseSettings {
  return {
    databaseUrl: postgresUrl("DATABASE_URL", env),
    dbWaitTimeoutMs: envInt("DB_WAIT_TIMEOUT_MS", 30000, { min: 0, max: 600000 }, env),
  };
}

/** Every setting of the server, read and validated once at start. */
export function readSettings(env: Env = process.env): Settings {
  const profile = envChoice("APP_PROFILE", PROFILES, "production", env);
  return {
    ...readDatabaseSettings(env),
    port: envPort(5000, "PORT", env),
    workers: envInt("WEB_CONCURRENCY", 2, { min: 1, max: 64 }, env),
    profile,
    logLevel: envChoice("LOG_LEVEL", LOG_LEVELS, profile === "development" ? "debug" : "info", env),
    staticDir: resolve(envOptional("STATIC_DIR", env) ?? "/home/app/web/staticfiles"),
    mediaDir: resolve(envOptional("MEDIA_DIR", env) ?? "/home/app/web/mediafiles"),
    maxUploadBytes: envInt("MAX_UPLOAD_BYTES", 10 * 1024 * 1024, { min: 1, max: 1024 * 1024 * 1024 }, env),
    mediaQuotaBytes: envInt("MEDIA_QUOTA_BYTES", 1024 * 1024 * 1024, { min: 1, max: 2 ** 50 }, env),
  };
}
