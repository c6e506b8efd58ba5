/**
 * dockercoins: hashes per second for 1, 2, 4 and 8 workers, with the lesson's
 * 0.1 s delays (rng, serving one request at a time, caps the stack at 10
 * hashes/s) and with the delays at 0; then the lab under a flood of large
 * bodies at hasher: its memory, what the flood is answered, and how long mining stalls;
 * and the lab's images as containers with 1 to 4 rng replicas behind one
 * name, the ceiling rising with each (bench/dockercoinsReplicas.ts).
 *
 * Each rate is shown twice: as redis's counter shows it (what the page
 * graphs) and as hasher counts the hashes it made (what really happened).
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { measureRound } from "./cpu";
import { HASHERS, rngReplicaRows, WORKERS } from "./dockercoinsReplicas";
import { cpuColumns, printTable, type Row } from "./harness";
import { sleep, startRedis, waitFor, type ServiceProcess } from "@container-labs/test-kit";
import {
  connectTestRedis,
  measureRate,
  readHashes,
  readMetric,
  startLab,
  startLabService,
  startTogether,
  workerEnvFor,
  type RedisClient,
} from "../images/dockercoins/test/lab";

const WORKER_COUNTS = [1, 2, 4, 8];
const LESSON_DELAYS_MS = [100, 0];
/** At full speed the processes share the CPU and take seconds of JIT warm-up to reach their pace. */
const warmUpMs = (lessonDelayMs: number): number => (lessonDelayMs > 0 ? 1500 : 5000);
const MEASURE_INTERVALS = 4;

/** The flood of issue 16.7: this many concurrent 1 MiB bodies at hasher while 4 workers mine. */
const FLOOD_REQUESTS = 300;
const FLOOD_BODY_BYTES = 1024 * 1024;
const FLOOD_WORKERS = 4;
/** How long mining is watched after the last flood request was answered. */
const FLOOD_AFTERMATH_MS = 5000;

/** Resident memory of a process, in MiB. */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((text) => text.startsWith("VmRSS:"));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

/** One POST of `body` on its own connection from `localAddress`; resolves with the status, or 0 if the connection failed. */
function post(url: string, body: Buffer, localAddress: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", agent: false, localAddress, headers: { "content-type": "application/octet-stream" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

async function miningRates(redis: RedisClient, redisUrl: string): Promise<Row[]> {
  const rows = new Map<number, Row>(WORKER_COUNTS.map((workers) => [workers, { workers }]));
  for (const lessonDelayMs of LESSON_DELAYS_MS) {
    const delay = { LESSON_DELAY_MS: String(lessonDelayMs) };
    const [rng, hasher] = await startTogether([startLabService("rng", delay), startLabService("hasher", delay)]);
    try {
      for (const workers of WORKER_COUNTS) {
        const env = workerEnvFor(rng, hasher, { redisUrl, workers, lessonDelayMs });
        const running = await startTogether(Array.from({ length: workers }, () => startLabService("worker", env)));
        try {
          const before = await readHashes(redis);
          await waitFor("the workers' first count", async () => (await readHashes(redis)) > before);
          await sleep(warmUpMs(lessonDelayMs));
          const madeBefore = await readMetric(hasher, "hasher_served_total");
          const started = performance.now();
          const counted = await measureRate(redis, MEASURE_INTERVALS);
          const made = ((await readMetric(hasher, "hasher_served_total")) - madeBefore) / ((performance.now() - started) / 1000);
          const row = rows.get(workers)!;
          row[`delay ${lessonDelayMs} ms: counter`] = counted;
          row[`delay ${lessonDelayMs} ms: hasher made`] = made;
        } finally {
          await Promise.all(running.map((worker) => worker.stop()));
        }
      }
    } finally {
      await Promise.all([rng.stop(), hasher.stop()]);
    }
  }
  return [...rows.values()];
}

/** Samples hasher's memory and redis's counter every 100 ms until stopped. */
function watch(hasher: ServiceProcess, redis: RedisClient) {
  const samples: Array<{ at: number; rss: number; hashes: number }> = [];
  let running = true;
  const done = (async () => {
    while (running) {
      samples.push({ at: performance.now(), rss: rssMiB(hasher.child.pid!), hashes: await readHashes(redis) });
      await sleep(100);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** The longest time, in seconds, redis's counter stood still between `from` and the last sample. */
function longestStall(samples: Array<{ at: number; hashes: number }>, from: number): number {
  let longest = 0;
  let movedAt = from;
  let last = samples.find((sample) => sample.at >= from)?.hashes ?? 0;
  for (const sample of samples.filter((candidate) => candidate.at >= from)) {
    if (sample.hashes !== last) {
      longest = Math.max(longest, sample.at - movedAt);
      movedAt = sample.at;
      last = sample.hashes;
    }
  }
  const end = samples[samples.length - 1]?.at ?? from;
  return Math.max(longest, end - movedAt) / 1000;
}

/**
 * The flood from `localAddress`. The workers call from 127.0.0.1; a flood from
 * 127.0.0.2 is what the lab sees when it comes through a published port (from
 * the host) while each worker is a container with an address of its own.
 */
async function flood(redisUrl: string, redis: RedisClient, localAddress: string): Promise<Row> {
  const lab = await startLab({ redisUrl, workers: FLOOD_WORKERS, lessonDelayMs: 100 });
  try {
    const before = await readHashes(redis);
    await waitFor("the workers' first count", async () => (await readHashes(redis)) > before);
    await sleep(3000);
    const watcher = watch(lab.hasher, redis);
    await sleep(1000);
    const rssBefore = rssMiB(lab.hasher.child.pid!);
    const body = Buffer.alloc(FLOOD_BODY_BYTES, 1);
    const floodStarted = performance.now();
    const { result: statuses, cpu } = await measureRound(() =>
      Promise.all(Array.from({ length: FLOOD_REQUESTS }, () => post(lab.hasher.url("/"), body, localAddress))));
    const floodSeconds = (performance.now() - floodStarted) / 1000;
    await sleep(FLOOD_AFTERMATH_MS);
    await watcher.stop();
    const answered = new Map<number, number>();
    for (const status of statuses) answered.set(status, (answered.get(status) ?? 0) + 1);
    return {
      "flood from": localAddress === "127.0.0.1" ? "the workers' address" : "another address",
      "hasher RSS before, MiB": rssBefore,
      "peak RSS, MiB": Math.max(...watcher.samples.map((sample) => sample.rss)),
      "flood answers": [...answered].sort(([a], [b]) => a - b).map(([status, count]) => `${count} x ${status || "no answer"}`).join(", "),
      "flood lasted, s": floodSeconds,
      "longest mining stall, s": longestStall(watcher.samples, floodStarted),
      ...cpuColumns([cpu]),
    };
  } finally {
    await lab.stop();
  }
}

export async function run(): Promise<void> {
  const redisServer = await startRedis();
  const redis = await connectTestRedis(redisServer.url);
  try {
    printTable("dockercoins: hashes/s by number of workers (one rng, one hasher)", await miningRates(redis, redisServer.url));
    printTable(
      `dockercoins under a flood: ${FLOOD_REQUESTS} concurrent ${FLOOD_BODY_BYTES / 1024} KiB POSTs at hasher while ${FLOOD_WORKERS} workers mine (lesson delays)`,
      [await flood(redisServer.url, redis, "127.0.0.2"), await flood(redisServer.url, redis, "127.0.0.1")],
    );
  } finally {
    await redis.quit();
    await redisServer.stop();
  }
  printTable(
    `dockercoins: hashes/s by number of rng replicas (the lab's images as containers of the private engine, every rng behind the alias rng; ${HASHERS} hashers, ${WORKERS} workers, lesson delays)`,
    await rngReplicaRows(),
  );
}
