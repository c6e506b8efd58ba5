import { envChoice, envInt, LOG_LEVELS, type LogLevel } from "@container-labs/service-kit";

type Env = Record<string, string | undefined>;

/** The settings every dockercoins service reads. */
export interface ServiceSettings {
  port: number;
  logLevel: LogLevel;
}

export function readServiceSettings(defaultPort: number, env: Env = process.env): ServiceSettings {
  return {
    port: envInt("PORT", defaultPort, { min: 1, max: 65535 }, env),
    logLevel: envChoice("LOG_LEVEL", LOG_LEVELS, "info", env),
  };
}

/** LESSON_DELAY_MS: the course's 0.1 s pauses in rng, hasher and worker; 0 runs the stack at full speed. */
export function readLessonDelayMs(env: Env = process.env): number {
  return envInt("LESSON_DELAY_MS", 100, { min: 0, max: 60000 }, env);
}

/**
 * QUEUE_LIMIT: how many requests rng or hasher hold in line at once (waiting
 * or being served); one more is answered 503. The default leaves room for the
 * lab's largest number of workers (50), each with one request in line.
 */
export function readQueueLimit(env: Env = process.env): number {
  return envInt("QUEUE_LIMIT", 64, { min: 1, max: 10000 }, env);
}

/**
 * QUEUE_LIMIT_PER_CLIENT: how many of those places one client address may
 * hold, so one client's flood leaves room for the workers (each a container
 * with an address of its own). At most QUEUE_LIMIT.
 */
export function readQueueLimitPerClient(queueLimit: number, env: Env = process.env): number {
  return envInt("QUEUE_LIMIT_PER_CLIENT", Math.min(16, queueLimit), { min: 1, max: queueLimit }, env);
}
