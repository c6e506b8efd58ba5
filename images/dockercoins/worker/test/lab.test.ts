/**
 * The whole lab as processes: rng, hasher and workers on 127.0.0.1 against
 * a real redis-server, with the lesson's delays (0.1 s each) unless a test
 * runs at full speed.
 */
import { createHash } from "node:crypto";
import { commandOptions } from "@redis/client";
import { run, sleep, startRedis, waitFor, type Dependency } from "@container-labs/test-kit";
import {
  closeTestRedis,
  connectTestRedis,
  measureRate,
  readHashes,
  readMetric,
  scriptOf,
  startLab,
  type Lab,
  type RedisClient,
} from "../../test/lab";

jest.setTimeout(60000);

let redisServer: Dependency | undefined;
let redis: RedisClient | undefined;
let lab: Lab | undefined;

async function startStack(workers: number, lessonDelayMs: number, workerEnv?: Record<string, string>): Promise<{ lab: Lab; redis: RedisClient }> {
  redisServer = await startRedis();
  redis = await connectTestRedis(redisServer.url);
  lab = await startLab({ redisUrl: redisServer.url, workers, lessonDelayMs, workerEnv });
  return { lab, redis };
}

afterEach(async () => {
  await lab?.stop();
  await closeTestRedis(redis);
  await redisServer?.stop();
  lab = undefined;
  redis = undefined;
  redisServer = undefined;
});

function logged(lab: Lab, worker: number, message: string): boolean {
  return lab.workers[worker].logLines().some((line) => line.msg === message);
}

/**
 * The lesson's delays pace the lab: three 0.1 s waits per hash make 3.33 hashes per second for one
 * worker, and rng, serving one request at a time, caps the lab at 10. The bounds keep 3x margin around
 * those figures; how close the rates come to them is a figure of `npm run bench dockercoins`.
 */
const HASHES_PER_SECOND_PER_WORKER = 10 / 3;
/** Flush intervals a rate is measured over: enough for 3x bounds (the counter moves a flush at a time). */
const MEASURED_INTERVALS = 4;

describe("with the lesson's delays", () => {
  test("one worker mines at the pace of three 0.1 s waits per hash (3.33 hashes per second), not at full speed", async () => {
    const { redis } = await startStack(1, 100);
    await waitFor("the first count", async () => (await readHashes(redis)) > 0);
    const rate = await measureRate(redis, MEASURED_INTERVALS);
    expect(rate).toBeGreaterThan(HASHES_PER_SECOND_PER_WORKER / 3);
    expect(rate).toBeLessThan(HASHES_PER_SECOND_PER_WORKER * 3);
  });

  test("three workers mine faster than one worker ever can, within rng's ceiling of 10 hashes per second", async () => {
    const { redis } = await startStack(3, 100);
    await waitFor("the first count", async () => (await readHashes(redis)) > 0);
    await sleep(1000);
    const rate = await measureRate(redis, MEASURED_INTERVALS);
    expect(rate).toBeGreaterThan((3 * HASHES_PER_SECOND_PER_WORKER) / 3);
    expect(rate).toBeLessThan(10 * 3);
  });
});

describe("at full speed (LESSON_DELAY_MS=0)", () => {
  test("coins land in the wallet: hashes starting with 0, each the SHA-256 of the 32 bytes stored with it", async () => {
    const { redis } = await startStack(1, 0);
    await waitFor("five coins", async () => (await redis.hLen("wallet")) >= 5);
    const wallet = await redis.hGetAll(commandOptions({ returnBuffers: true }), "wallet");
    for (const [hash, bytes] of Object.entries(wallet)) {
      expect(hash).toMatch(/^0[0-9a-f]{63}$/);
      expect(bytes).toHaveLength(32);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(hash);
    }
  });

  test("every hash is counted once: after SIGTERM the counter equals the hashes hasher made", async () => {
    const { lab, redis } = await startStack(2, 0);
    await waitFor("a few hundred hashes", async () => (await readHashes(redis)) > 300);
    const exits = await Promise.all(lab.workers.map((worker) => worker.stop("SIGTERM")));
    expect(exits).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
    expect(logged(lab, 0, "final count written to redis")).toBe(true);
    expect(await readHashes(redis)).toBe(await readMetric(lab.hasher, "hasher_served_total"));
  });
});

describe("when a dependency goes away", () => {
  const quickRetries = { BACKOFF_MAX_MS: "400" };

  test("the worker waits out rng's absence, then resumes", async () => {
    const { lab, redis } = await startStack(1, 0, quickRetries);
    await waitFor("hashes", async () => (await readHashes(redis)) > 50);
    await lab.rng.stop();
    await sleep(1500);
    const stalled = await readHashes(redis);
    await sleep(1500);
    expect(await readHashes(redis)).toBe(stalled);
    expect(lab.workers[0].logLines().some((line) => String(line.err).startsWith("rng unreachable"))).toBe(true);

    await lab.restartRng();
    await waitFor("the counter to grow again", async () => (await readHashes(redis)) > stalled + 50);
    expect(logged(lab, 0, "work resumed")).toBe(true);
    expect(lab.workers[0].running).toBe(true);
  });

  test("the worker survives a redis restart and counts into the new redis", async () => {
    const { lab, redis } = await startStack(1, 0, quickRetries);
    await waitFor("hashes", async () => (await readHashes(redis)) > 50);
    const port = redisServer!.port;
    await redisServer!.stop();
    await waitFor("the worker to notice", async () => logged(lab, 0, "redis unreachable, reconnecting"));
    expect(lab.workers[0].running).toBe(true);

    // No persistence: the new redis starts from nothing, and the worker's counts arrive there.
    redisServer = await startRedis(port);
    await waitFor("the counter to grow in the new redis", async () => (await readHashes(redis)) > 50, { timeoutMs: 20000 });
    expect(logged(lab, 0, "redis reachable again")).toBe(true);
    expect(lab.workers[0].running).toBe(true);
  });
});

test("a bad setting stops the worker at start with a message naming the variable", async () => {
  const worker = run("worker", process.execPath, { args: [scriptOf("worker")], env: { RNG_URL: "not a url" } });
  expect(await worker.exited).toEqual({ code: 1, signal: null });
  expect(worker.logLines()).toEqual([
    expect.objectContaining({ level: "fatal", err: expect.stringContaining('RNG_URL="not a url" is not valid') }),
  ]);
});
