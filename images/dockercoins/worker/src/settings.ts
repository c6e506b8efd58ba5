import { envInt, envUrl } from "@container-labs/service-kit";
import { readLessonDelayMs, readServiceSettings, type ServiceSettings } from "@container-labs/dockercoins-kit";

type Env = Record<string, string | undefined>;

export interface WorkerSettings extends ServiceSettings {
  /** LESSON_DELAY_MS: the course's 0.1 s pause before each unit of work. */
  lessonDelayMs: number;
  rngUrl: string;
  hasherUrl: string;
  redisUrl: string;
  /** How often counted hashes go to redis (the course: about once a second). */
  flushIntervalMs: number;
  /** Longest wait between retries while rng, hasher or redis is away. */
  backoffMaxMs: number;
  /** How long one request to rng or hasher may take, queueing included. */
  requestTimeoutMs: number;
}

export function readWorkerSettings(env: Env = process.env): WorkerSettings {
  return {
    ...readServiceSettings(8080, env),
    lessonDelayMs: readLessonDelayMs(env),
    rngUrl: envUrl("RNG_URL", "http://rng", env),
    hasherUrl: envUrl("HASHER_URL", "http://hasher", env),
    redisUrl: envUrl("REDIS_URL", "redis://redis:6379", env),
    flushIntervalMs: envInt("FLUSH_INTERVAL_MS", 1000, { min: 50, max: 60000 }, env),
    backoffMaxMs: envInt("BACKOFF_MAX_MS", 5000, { min: 100, max: 300000 }, env),
    requestTimeoutMs: envInt("REQUEST_TIMEOUT_MS", 5000, { min: 100, max: 300000 }, env),
  };
}
