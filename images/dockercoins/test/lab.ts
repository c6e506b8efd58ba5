/**
 * The dockercoins lab as processes on 127.0.0.1: built rng, hasher and
 * workers against a real redis-server. Shared by the tests of the lab's
 * images (rng, hasher, worker, webui) and its benchmark, so it lives beside
 * them rather than in one of them.
 */
import { join } from "node:path";
import { createClient } from "@redis/client";
import { closeRedis } from "@container-labs/dockercoins-kit";
import { sleep, startService, type ServiceProcess } from "@container-labs/test-kit";

export type ServiceName = "rng" | "hasher" | "worker" | "webui";

export function scriptOf(service: ServiceName): string {
  return join(__dirname, "..", service, "dist", "main.js");
}

/** How long a service may take to answer its health route: node starts slowly on a busy 2-core machine. */
const READY_TIMEOUT_MS = 30000;

export function startLabService(service: ServiceName, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService(service, { script: scriptOf(service), env: { LOG_LEVEL: "info", ...env }, readyTimeoutMs: READY_TIMEOUT_MS });
}

/**
 * Starts services side by side; if one fails to start, stops the others
 * before failing, so no process outlives a failed start.
 */
export async function startTogether(starts: Array<Promise<ServiceProcess>>): Promise<ServiceProcess[]> {
  const outcomes = await Promise.allSettled(starts);
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  const started = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  if (failure) {
    await Promise.all(started.map((service) => service.stop()));
    throw failure.reason;
  }
  return started;
}

export interface LabOptions {
  redisUrl: string;
  workers: number;
  lessonDelayMs: number;
  /** Extra environment for the workers (e.g. a shorter BACKOFF_MAX_MS). */
  workerEnv?: Record<string, string>;
}

export interface Lab {
  rng: ServiceProcess;
  hasher: ServiceProcess;
  workers: ServiceProcess[];
  /** Starts rng again on the port it had (after a test stopped it). */
  restartRng(): Promise<void>;
  stop(): Promise<void>;
}

export function workerEnvFor(rng: ServiceProcess, hasher: ServiceProcess, options: LabOptions): Record<string, string> {
  return {
    RNG_URL: rng.url(""),
    HASHER_URL: hasher.url(""),
    REDIS_URL: options.redisUrl,
    LESSON_DELAY_MS: String(options.lessonDelayMs),
    ...options.workerEnv,
  };
}

export async function startLab(options: LabOptions): Promise<Lab> {
  const delay = { LESSON_DELAY_MS: String(options.lessonDelayMs) };
  const [rng, hasher] = await startTogether([startLabService("rng", delay), startLabService("hasher", delay)]);
  const workerEnv = workerEnvFor(rng, hasher, options);
  let workers: ServiceProcess[];
  try {
    workers = await startTogether(Array.from({ length: options.workers }, () => startLabService("worker", workerEnv)));
  } catch (err) {
    await Promise.all([rng.stop(), hasher.stop()]);
    throw err;
  }
  const lab: Lab = {
    rng,
    hasher,
    workers,
    async restartRng() {
      lab.rng = await startLabService("rng", { ...delay, PORT: String(rng.port) });
    },
    async stop() {
      await Promise.all(lab.workers.map((worker) => worker.stop()));
      await Promise.all([lab.rng.stop(), lab.hasher.stop()]);
    },
  };
  return lab;
}

export type RedisClient = ReturnType<typeof createClient>;

export async function connectTestRedis(url: string): Promise<RedisClient> {
  const client = createClient({ url, socket: { reconnectStrategy: 100 } });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Closes a client of connectTestRedis; never waits on a server that went away (a test may have restarted it). */
export async function closeTestRedis(client: RedisClient | undefined): Promise<void> {
  if (client) await closeRedis(client).catch(() => undefined);
}

export async function readHashes(redis: RedisClient): Promise<number> {
  return Number((await redis.get("hashes")) ?? 0);
}

/** The workers' FLUSH_INTERVAL_MS default: each adds its count to redis once per interval. */
const FLUSH_INTERVAL_MS = 1000;

/**
 * Hashes per second as redis's counter shows them, over about `intervals`
 * flush intervals. The counter moves in steps, each worker adding its count
 * once per interval, so growth between two arbitrary instants is off by up
 * to a step per worker. Between two steps of the same worker, though, every
 * worker has stepped exactly as many times: the rate is taken from the first
 * step seen to the step nearest `intervals` intervals later, which is that
 * worker's own step again.
 */
export async function measureRate(redis: RedisClient, intervals: number): Promise<number> {
  const steps: Array<{ at: number; hashes: number }> = [];
  let last = await readHashes(redis);
  const end = performance.now() + (intervals + 1.5) * FLUSH_INTERVAL_MS;
  while (performance.now() < end) {
    await sleep(10);
    const hashes = await readHashes(redis);
    if (hashes !== last) steps.push({ at: performance.now(), hashes });
    last = hashes;
  }
  if (steps.length < 2) throw new Error(`the counter moved ${steps.length} times in ${intervals + 1.5} intervals`);
  const [first] = steps;
  const target = first.at + intervals * FLUSH_INTERVAL_MS;
  const closing = steps.reduce((best, step) => (Math.abs(step.at - target) < Math.abs(best.at - target) ? step : best));
  return ((closing.hashes - first.hashes) / (closing.at - first.at)) * 1000;
}

/** A counter from a service's Prometheus text, e.g. hasher_served_total. */
export function readMetric(service: ServiceProcess, name: string): Promise<number> {
  return readMetricAt(service.url("/metrics"), name);
}

/** A counter from the Prometheus text at `metricsUrl` (a service in a container, through its published port). */
export async function readMetricAt(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
  if (!line) throw new Error(`${metricsUrl} has no metric ${name}`);
  return Number(line.slice(name.length + 1));
}
