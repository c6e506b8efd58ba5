import { ConfigError, LOG_LEVELS, envChoice, envInt, envPort, envUrl, type LogLevel } from "@container-labs/service-kit";
import type { JobBounds } from "@container-labs/kleeweb-kit";

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
  /** Unfinished jobs one client, and everyone, may have: past them a submission is refused, not queued. */
  jobBounds: JobBounds;
  /** What a refused submission is told to wait (Retry-After). */
  retryAfterSeconds: number;
}

/**
 * A job may run for the worker's JOB_TIMEOUT_SECONDS (60 s by default) and be
 * tried up to 3 times; the lab runs 2 workers. 100 unfinished jobs are at
 * most 50 minutes of their work (tried once), one client's 10 at most 5: a class can still
 * submit side by side while one client cannot queue hours of KLEE runs (a
 * review queued 300 in 0.65 s). A place frees when a job ends, within the
 * job timeout once it runs: that is the wait suggested.
 */
const DEFAULT_JOB_BOUNDS: JobBounds = { perClient: 10, total: 100 };
const DEFAULT_RETRY_AFTER_SECONDS = 60;

export function readSettings(env: NodeJS.ProcessEnv = process.env): WebSettings {
  const maxSourceBytes = envInt("MAX_SOURCE_BYTES", 65536, { min: 1, max: LARGEST_SOURCE_LIMIT }, env);
  return {
    port: envPort(8000, "PORT", env),
    logLevel: envChoice("LOG_LEVEL", LOG_LEVELS, "info", env),
    redisUrl: envUrl("REDIS_URL", "redis://redis:6379", env),
    databaseUrl: envUrl("DATABASE_URL", undefined, env),
    maxSourceBytes,
    maxBodyBytes: bodyLimitFor(maxSourceBytes),
    jobBounds: readJobBounds(env),
    retryAfterSeconds: envInt("QUEUE_RETRY_AFTER_SECONDS", DEFAULT_RETRY_AFTER_SECONDS, { min: 1, max: 86400 }, env),
  };
}

function readJobBounds(env: NodeJS.ProcessEnv): JobBounds {
  const total = envInt("MAX_QUEUED_JOBS", DEFAULT_JOB_BOUNDS.total, { min: 1, max: 1_000_000 }, env);
  const perClient = envInt("MAX_QUEUED_JOBS_PER_CLIENT", Math.min(DEFAULT_JOB_BOUNDS.perClient, total), { min: 1, max: 1_000_000 }, env);
  if (perClient > total) throw new ConfigError("MAX_QUEUED_JOBS_PER_CLIENT", String(perClient), `at most MAX_QUEUED_JOBS (${total})`);
  return { perClient, total };
}

/** Also what nginx's CLIENT_MAX_BODY_SIZE must be for the same MAX_SOURCE_BYTES (README). */
export function bodyLimitFor(maxSourceBytes: number): number {
  return 2 * maxSourceBytes + 4096;
}
