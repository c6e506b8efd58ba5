/**
 * dockercoins: hashes per second as redis's counter shows them, for 1, 2, 4
 * and 8 workers, with the lesson's 0.1 s delays (rng, serving one request at
 * a time, caps the stack at 10 hashes/s) and with the delays at 0.
 */
import { printTable, type Row } from "./harness";
import { sleep, startRedis, waitFor } from "@container-labs/test-kit";
import {
  connectTestRedis,
  measureRate,
  readHashes,
  startLabService,
  workerEnvFor,
} from "../images/dockercoins/worker/test/lab";

const WORKER_COUNTS = [1, 2, 4, 8];
const LESSON_DELAYS_MS = [100, 0];
/** At full speed the processes share the CPU and take seconds of JIT warm-up to reach their pace. */
const warmUpMs = (lessonDelayMs: number): number => (lessonDelayMs > 0 ? 1500 : 5000);
const MEASURE_INTERVALS = 4;

export async function run(): Promise<void> {
  const redisServer = await startRedis();
  const redis = await connectTestRedis(redisServer.url);
  const rows = new Map<number, Row>(WORKER_COUNTS.map((workers) => [workers, { workers }]));
  try {
    for (const lessonDelayMs of LESSON_DELAYS_MS) {
      const delay = { LESSON_DELAY_MS: String(lessonDelayMs) };
      const [rng, hasher] = await Promise.all([startLabService("rng", delay), startLabService("hasher", delay)]);
      try {
        for (const workers of WORKER_COUNTS) {
          const env = workerEnvFor(rng, hasher, { redisUrl: redisServer.url, workers, lessonDelayMs });
          const running = await Promise.all(Array.from({ length: workers }, () => startLabService("worker", env)));
          try {
            const before = await readHashes(redis);
            await waitFor("the workers' first count", async () => (await readHashes(redis)) > before);
            await sleep(warmUpMs(lessonDelayMs));
            rows.get(workers)![`LESSON_DELAY_MS=${lessonDelayMs} hashes/s`] = await measureRate(redis, MEASURE_INTERVALS);
          } finally {
            await Promise.all(running.map((worker) => worker.stop()));
          }
        }
      } finally {
        await Promise.all([rng.stop(), hasher.stop()]);
      }
    }
  } finally {
    await redis.quit();
    await redisServer.stop();
  }
  printTable("dockercoins: mining speed by number of workers (one rng, one hasher)", [...rows.values()]);
}
