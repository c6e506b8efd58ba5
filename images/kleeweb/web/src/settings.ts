import { LOG_LEVELS, envChoice, envInt, envPort, envUrl, type LogLevel } from "@container-labs/service-kit";

/**
 * The Docker runner hands the source to the job container in an environment
 * variable, and Linux caps one at 128 KiB: keep sources comfortably below.
 */
const LARGEST_SOURCE_LIMIT = 120_000;

export interface WebSettings {
  port: number;
  logLevel: LogLevel;
  redisUrl: string;
  databaseUrl: string;
  maxSourceBytes: number;
  /** HTTP body limit: room for the source after JSON escaping (every newline doubles), plus the envelope. */
  maxBodyBytes: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): WebSettings {
  const maxSourceBytes = envInt("MAX_SOURCE_BYTES", 65536, { min: 1, max: LARGEST_SOURCE_LIMIT }, env);
  return {
    port: envPort(8000, "PORT", env),
    logLevel: envChoice("LOG_LEVEL", LOG_LEVELS, "info", env),
    redisUrl: envUrl("REDIS_URL", "redis://redis:6379", env),
    databaseUrl: envUrl("DATABASE_URL", undefined, env),
    maxSourceBytes,
    maxBodyBytes: bodyLimitFor(maxSourceBytes),
  };
}

/** Also what nginx's CLIENT_MAX_BODY_SIZE must be for the same MAX_SOURCE_BYTES (README). */
export function bodyLimitFor(maxSourceBytes: number): number {
  return 2 * maxSourceBytes + 4096;
}
