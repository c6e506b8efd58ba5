import { join } from "node:path";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import {
  startPostgres, startRedis, startService, waitFor, type Dependency, type Postgres, type ServiceProcess,
} from "@container-labs/test-kit";
import { FakeDockerEngine } from "./fake-docker-engine";

const WEB = join(__dirname, "..", "..", "web", "dist", "main.js");
const WORKER = join(__dirname, "..", "dist", "main.js");
const FAKE_KLEE = join(__dirname, "fixtures", "fake-klee.js");
const JOB_TIMEOUT_SECONDS = 4;
const SHUTDOWN_GRACE_SECONDS = 2;

interface JobView {
  id: string;
  status: string;
  exit_code: number | null;
  output: string | null;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
}

let redis: Dependency;
let postgres: Postgres;
let web: ServiceProcess;
let recordDir: string;
let recordFile: string;
const workers = new Map<string, ServiceProcess>();

function startWorker(id: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const started = startService(`kleeweb-worker ${id}`, {
    script: WORKER,
    env: {
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.urlFor("kleeweb"),
      WORKER_ID: id,
      RUNNER: "local",
      JOB_COMMAND: `node ${FAKE_KLEE} ${recordFile}`,
      JOB_TIMEOUT_SECONDS: String(JOB_TIMEOUT_SECONDS),
      SHUTDOWN_GRACE_SECONDS: String(SHUTDOWN_GRACE_SECONDS),
      HEARTBEAT_TTL_SECONDS: "1",
      ...env,
    },
  });
  return started.then((worker) => {
    workers.set(id, worker);
    return worker;
  });
}

async function submit(source: string): Promise<string> {
  const res = await fetch(web.url("/api/jobs"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ source }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function job(id: string): Promise<JobView> {
  return (await (await fetch(web.url(`/api/jobs/${id}`))).json()) as JobView;
}

async function finished(id: string, timeoutMs = 15000): Promise<JobView> {
  let view: JobView | undefined;
  await waitFor(`job ${id} to finish`, async () => {
    view = await job(id);
    return !["queued", "running"].includes(view.status);
  }, { timeoutMs, intervalMs: 100 });
  return view as JobView;
}

/** How many times the job command ran for each job id. */
function runsPerJob(): Map<string, number> {
  const runs = new Map<string, number>();
  for (const id of readFileSync(recordFile, "utf8").split("\n").filter(Boolean)) runs.set(id, (runs.get(id) ?? 0) + 1);
  return runs;
}

function logged(worker: ServiceProcess, msg: string, jobId: string): boolean {
  return worker.logLines().some((line) => line.msg === msg && line.job === jobId);
}

/** The live worker that started `jobId`. */
async function takerOf(jobId: string): Promise<[string, ServiceProcess]> {
  let taker: [string, ServiceProcess] | undefined;
  await waitFor(`a worker to start job ${jobId}`, () => {
    taker = [...workers].find(([, worker]) => worker.running && logged(worker, "job started", jobId));
    return taker !== undefined;
  });
  return taker as [string, ServiceProcess];
}

beforeAll(async () => {
  recordDir = mkdtempSync(join(tmpdir(), "kleeweb-runs-"));
  recordFile = join(recordDir, "runs.txt");
  writeFileSync(recordFile, "");
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  postgres.createDatabase("kleeweb");
  // All of this file's jobs come from one client: more than the per-client bound of the queue allows by default.
  web = await startService("kleeweb-web", { script: WEB, env: { REDIS_URL: redis.url, DATABASE_URL: postgres.urlFor("kleeweb"), MAX_QUEUED_JOBS_PER_CLIENT: "100" } });
  await Promise.all([startWorker("worker-a"), startWorker("worker-b")]);
}, 60000);

afterAll(async () => {
  await Promise.all([...workers.values()].map((worker) => worker.stop()));
  await web?.stop();
  await Promise.all([redis?.stop(), postgres?.stop()]);
  rmSync(recordDir, { recursive: true, force: true });
});

describe("kleeweb workers with the local-process runner", () => {
  it("runs a submitted job and stores its output and exit code", async () => {
    const id = await submit("int main(void) { return 0; }");
    const view = await finished(id);
    expect(view).toMatchObject({ status: "succeeded", exit_code: 0, attempts: 1, output: `ran job ${id} (28 bytes of source)\n` });
    expect(Date.parse(view.finished_at as string)).toBeGreaterThanOrEqual(Date.parse(view.started_at as string));
  });

  it("marks a job that exits non-zero as failed, keeping its exit code", async () => {
    const view = await finished(await submit("int main(void) { return 3; } // EXIT 3"));
    expect(view).toMatchObject({ status: "failed", exit_code: 3, attempts: 1 });
  });

  it("kills a job that exceeds JOB_TIMEOUT_SECONDS and marks it timed_out", async () => {
    const id = await submit("int main(void) { for (;;); } // SLEEP 20000");
    const view = await finished(id);
    expect(view).toMatchObject({ status: "timed_out", exit_code: null, attempts: 1 });
    const ranForMs = Date.parse(view.finished_at as string) - Date.parse(view.started_at as string);
    // The time is the behaviour: killed at the timeout (4 s), not left to run its 20 s. Not before it
    // (the database's timestamps may round by a few ms), and within 3x of it.
    expect(ranForMs).toBeGreaterThanOrEqual(JOB_TIMEOUT_SECONDS * 1000 - 100);
    expect(ranForMs).toBeLessThan(3 * JOB_TIMEOUT_SECONDS * 1000);
  });

  it("never gives one job to two workers: 30 jobs, each run exactly once, shared by both", async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, (_, n) => submit(`int main(void) { return 0; } // job ${n} SLEEP 30`)));
    const views = await Promise.all(ids.map((id) => finished(id)));

    expect(views.map((view) => view.status)).toEqual(ids.map(() => "succeeded"));
    expect(views.map((view) => view.attempts)).toEqual(ids.map(() => 1));
    const runs = runsPerJob();
    expect(ids.map((id) => runs.get(id))).toEqual(ids.map(() => 1));
    for (const name of ["worker-a", "worker-b"]) {
      expect(ids.some((id) => logged(workers.get(name) as ServiceProcess, "job finished", id))).toBe(true);
    }
  });

  it("retries on the other worker a job whose worker was SIGKILLed mid-job", async () => {
    const id = await submit("int main(void) { return 0; } // SLEEP 2500");
    const [name, taker] = await takerOf(id);
    await taker.stop("SIGKILL");
    workers.delete(name);

    const view = await finished(id);
    expect(view).toMatchObject({ status: "succeeded", exit_code: 0, attempts: 2 });
    expect(runsPerJob().get(id)).toBe(2);
    const [survivor] = workers.values();
    expect(logged(survivor, "job requeued", id)).toBe(true);
    await startWorker("worker-c");
  });

  it("on SIGTERM lets the current job finish within the grace period, then exits 0", async () => {
    const id = await submit("int main(void) { return 0; } // SLEEP 800");
    const [name, taker] = await takerOf(id);
    const exit = await taker.stop("SIGTERM");
    workers.delete(name);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(await job(id)).toMatchObject({ status: "succeeded", attempts: 1 });
    await startWorker("worker-d");
  });

  it("on SIGTERM requeues a job that outlasts the grace period, and another worker finishes it", async () => {
    const id = await submit(`int main(void) { return 0; } // SLEEP ${SHUTDOWN_GRACE_SECONDS * 1000 + 1500}`);
    const [name, taker] = await takerOf(id);
    const exit = await taker.stop("SIGTERM");
    workers.delete(name);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(logged(taker, "job requeued", id)).toBe(true);
    const view = await finished(id);
    expect(view).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("gives up on a job after MAX_ATTEMPTS and marks it failed", async () => {
    await Promise.all([...workers.values()].map((worker) => worker.stop()));
    workers.clear();
    await Promise.all([startWorker("worker-e", { MAX_ATTEMPTS: "1" }), startWorker("worker-f", { MAX_ATTEMPTS: "1" })]);

    const id = await submit("int main(void) { return 0; } // SLEEP 3000");
    const [name, taker] = await takerOf(id);
    await taker.stop("SIGKILL");
    workers.delete(name);

    const view = await finished(id);
    expect(view).toMatchObject({ status: "failed", exit_code: null, attempts: 1 });
    expect(view.output).toBe("gave up after 1 attempts: the worker running it stopped before it finished");
    expect(runsPerJob().get(id)).toBe(1);
  });
});

describe("a kleeweb worker with the Docker runner", () => {
  let engine: FakeDockerEngine;

  beforeAll(async () => {
    await Promise.all([...workers.values()].map((worker) => worker.stop()));
    workers.clear();
    engine = await FakeDockerEngine.start();
  });

  afterAll(() => engine.stop());

  it("fails a job the engine refuses with the engine's reason, and keeps working", async () => {
    engine.reset({ createError: { status: 404, message: "No such image: klee/klee:3.0" } });
    const worker = await startWorker("worker-docker", { RUNNER: "docker", DOCKER_SOCKET: engine.socketPath, JOB_IMAGE: "klee/klee:3.0" });

    const refused = await finished(await submit("int main(void) { return 0; }"));
    expect(refused).toMatchObject({ status: "failed", exit_code: null, attempts: 1 });
    expect(refused.output).toBe("the Docker engine could not create the job container from klee/klee:3.0: No such image: klee/klee:3.0");

    engine.reset({ exitCode: 0, logs: [[2, "KLEE: done: completed paths = 1\n"]] });
    const ran = await finished(await submit("int main(void) { return 0; }"));
    expect(ran).toMatchObject({ status: "succeeded", exit_code: 0, output: "KLEE: done: completed paths = 1\n" });
    expect(worker.running).toBe(true);
  });
});
