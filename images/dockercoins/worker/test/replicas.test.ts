/**
 * Scaling rng and hasher, the lesson's point: replicas behind one name share
 * the work. Each replica is a process with an address of its own behind the
 * service's name (test/replicas.ts); one worker mines at full speed and every
 * replica must get a fair share of its calls, as the course's worker spreads
 * them by opening a new connection, after a new lookup, for every call.
 */
import { startRedis, waitFor, type Dependency, type ServiceProcess } from "@container-labs/test-kit";
import { startLabService } from "../../test/lab";
import { startReplicas, TestHosts, type Replicas } from "./replicas";

jest.setTimeout(60000);

const FULL_SPEED = { LESSON_DELAY_MS: "0" };

let hosts: TestHosts;
let redisServer: Dependency;
let rng: Replicas;
let hasher: Replicas;
let worker: ServiceProcess;

beforeAll(async () => {
  hosts = new TestHosts();
  redisServer = await startRedis();
  rng = await startReplicas("rng", 3, hosts, 11, FULL_SPEED);
  hasher = await startReplicas("hasher", 2, hosts, 21, FULL_SPEED);
  worker = await startLabService("worker", {
    ...FULL_SPEED,
    ...hosts.env(),
    RNG_URL: rng.url,
    HASHER_URL: hasher.url,
    REDIS_URL: redisServer.url,
  });
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all([rng?.stop(), hasher?.stop()]);
  await redisServer?.stop();
  hosts?.remove();
});

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/** Waits until `replicas` have served `calls` more than `before`, and returns what each served meanwhile. */
async function servedFrom(replicas: Replicas, before: number[], calls: number): Promise<number[]> {
  let now = before;
  await waitFor(`${calls} calls`, async () => {
    now = await replicas.served();
    return sum(now) - sum(before) >= calls;
  }, { timeoutMs: 30000 });
  return now.map((served, i) => served - (before[i] ?? 0));
}

/** Each replica's share of the calls must be within half and one and a half times a fair share. */
function expectFairShares(counts: number[]): void {
  const fair = 1 / counts.length;
  const shares = counts.map((count) => count / sum(counts));
  for (const share of shares) {
    expect(share).toBeGreaterThan(fair * 0.5);
    expect(share).toBeLessThan(fair * 1.5);
  }
}

test("one worker's calls are shared by every rng replica and every hasher replica behind the names", async () => {
  const rngCalls = await servedFrom(rng, [0, 0, 0], 300);
  const hasherCalls = await servedFrom(hasher, [0, 0], 300);
  expectFairShares(rngCalls);
  expectFairShares(hasherCalls);
});

test("a replica added while the worker runs gets its share at once: every call looks the name up again", async () => {
  await rng.add();
  const calls = await servedFrom(rng, await rng.served(), 400);
  expectFairShares(calls);
  expect(worker.running).toBe(true);
});
