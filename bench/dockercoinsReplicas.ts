/**
 * dockercoins' mining rate against the number of rng replicas, spread the
 * way the lab spreads calls: the lab's own images, built as the real-engine
 * tests build them (test/engine/builds.ts), as containers on one
 * user-defined network of the private engine, every rng under the alias
 * `rng`. Docker's DNS answers `rng` with every replica's address and each
 * worker call (a fresh lookup and connection, worker/src/upstream.ts) lands
 * on any one of them, as on a swarm with dnsrr endpoints.
 *
 * rng serves one request at a time after the lesson's delay, so each replica
 * adds about 10 hashes/s. hasher does the same, so there are enough hashers
 * and workers that rng alone caps the rate; each row shows how busy rng and
 * hasher were. The containers are the engine's, not this process's children:
 * nothing is pinned, and they share the machine's cores with whatever runs.
 */
import { loadavg } from "node:os";
import { freePort, inEngineScope, sleep, waitFor, waitHealthy, type EngineScope } from "@container-labs/test-kit";
import { IMAGE_BUILDS } from "../components/labs";
import { NODE_SERVERS } from "../components/labs/dockercoins/images";
import { closeTestRedis, connectTestRedis, measureRate, readHashes, readMetricAt, type RedisClient } from "../images/dockercoins/test/lab";
import { builder } from "../test/engine/builds";
import type { Row } from "./harness";

/** Replicas are added one at a time, and each row measured with all of them. */
const RNG_REPLICAS = [1, 2, 3, 4];
const LESSON_DELAY_MS = 100;
/** rng's or hasher's most calls per second: one at a time, each after the lesson's delay. */
const DESK_PER_SECOND = 1000 / LESSON_DELAY_MS;
/** They can make 80 hashes/s: at the most rng replicas (40/s) they are half busy, so hasher never caps. */
export const HASHERS = 8;
/**
 * A worker's loop (pause, rng, hasher: 0.1 s each at least) makes at most
 * 3.33 hashes/s; 30 could make 100/s, so every rng keeps a line of calls.
 */
export const WORKERS = 30;
/** After a replica is added, the line that waited at the others spreads out. */
const SETTLE_MS = 3000;
const MEASURE_INTERVALS = 8;
const SERVICE_PORT = NODE_SERVERS["dockercoins/rng"].port;

type Desk = "rng" | "hasher";

/** A replica of rng or hasher, with its metrics reached through a port published on 127.0.0.1. */
interface Replica {
  container: string;
  metricsUrl: string;
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

async function startReplica(scope: EngineScope, network: string, service: Desk, image: string, index: number): Promise<Replica> {
  const port = await freePort();
  const container = await scope.start({
    image,
    name: `${service}-${index}`,
    env: { LESSON_DELAY_MS: String(LESSON_DELAY_MS) },
    network: { name: network, aliases: [service] },
    publish: { [SERVICE_PORT]: port },
  });
  return { container: container.name, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

const served = (replicas: Replica[], service: Desk): Promise<number[]> =>
  Promise.all(replicas.map((replica) => readMetricAt(replica.metricsUrl, `${service}_served_total`)));

/** One row: the rate redis's counter shows, what hasher made, and how rng's calls were shared. */
async function measure(redis: RedisClient, rngs: Replica[], hashers: Replica[]): Promise<Row> {
  const [rngBefore, hasherBefore] = await Promise.all([served(rngs, "rng"), served(hashers, "hasher")]);
  const started = performance.now();
  const counted = await measureRate(redis, MEASURE_INTERVALS);
  const [rngAfter, hasherAfter] = await Promise.all([served(rngs, "rng"), served(hashers, "hasher")]);
  const seconds = (performance.now() - started) / 1000;
  const calls = rngAfter.map((count, i) => count - rngBefore[i]);
  const made = (sum(hasherAfter) - sum(hasherBefore)) / seconds;
  return {
    "rng replicas": rngs.length,
    "counter, hashes/s": counted,
    "hasher made, hashes/s": made,
    "rng busy %": Math.round((100 * sum(calls)) / seconds / (rngs.length * DESK_PER_SECOND)),
    "hasher busy %": Math.round((100 * made) / (HASHERS * DESK_PER_SECOND)),
    "each rng's share, %": calls.map((count) => Math.round((100 * count) / sum(calls))).join(" / "),
    "min share, %": (100 * Math.min(...calls)) / sum(calls),
    "load avg (1 min)": loadavg()[0],
  };
}

export async function rngReplicaRows(): Promise<Row[]> {
  const images = await builder();
  const build = (service: Desk | "worker") => images.build(`dockercoins/${service}`, IMAGE_BUILDS[`dockercoins/${service}`]);
  // One after another: the first builds the workspace image the others share.
  const image = { rng: await build("rng"), hasher: await build("hasher"), worker: await build("worker") };
  return inEngineScope(images.engine, "bench-dockercoins", async (scope) => {
    const network = await scope.network("network");
    const redisPort = await freePort();
    await scope.start({ image: images.standins.redis, name: "redis", network: { name: network, aliases: ["redis"] }, publish: { 6379: redisPort } });
    const hashers = await Promise.all(Array.from({ length: HASHERS }, (_, i) => startReplica(scope, network, "hasher", image.hasher, i + 1)));
    const rngs = [await startReplica(scope, network, "rng", image.rng, 1)];
    await waitHealthy(images.engine, [...hashers, ...rngs].map((replica) => replica.container));

    const workerEnv = { LESSON_DELAY_MS: String(LESSON_DELAY_MS), RNG_URL: "http://rng", HASHER_URL: "http://hasher", REDIS_URL: "redis://redis:6379" };
    const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) =>
      scope.start({ image: image.worker, name: `worker-${i + 1}`, env: workerEnv, network: { name: network } })));
    await waitHealthy(images.engine, workers.map((worker) => worker.name), 300_000);

    const redis = await connectTestRedis(`redis://127.0.0.1:${redisPort}`);
    try {
      await waitFor("the workers' first count", async () => (await readHashes(redis)) > 0, { timeoutMs: 30_000 });
      const rows: Row[] = [];
      for (const replicas of RNG_REPLICAS) {
        while (rngs.length < replicas) rngs.push(await startReplica(scope, network, "rng", image.rng, rngs.length + 1));
        await waitHealthy(images.engine, rngs.map((replica) => replica.container));
        await sleep(SETTLE_MS);
        rows.push(await measure(redis, rngs, hashers));
      }
      return rows;
    } finally {
      await closeTestRedis(redis);
    }
  });
}
