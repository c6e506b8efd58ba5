import pino from "pino";
import { DockerRunner } from "../src/docker-runner";
import { RunnerError } from "../src/job-runner";
import { DEFAULT_JOB_IMAGE } from "../src/settings";
import { CONTAINER_ID, FakeDockerEngine } from "./fake-docker-engine";

const job = { id: "0b8e4a7e-1c5d-4f8e-9a51-3f0c2f6d7a10", source: 'int main(void) { puts("hi"); return 0; }' };
const limits = { timeoutSeconds: 1, maxOutputBytes: 1024 };
const settings = { image: DEFAULT_JOB_IMAGE, cpuShares: 512, memoryBytes: 512 * 1024 * 1024 };

let engine: FakeDockerEngine;
let runner: DockerRunner;

beforeAll(async () => {
  engine = await FakeDockerEngine.start();
  runner = new DockerRunner({ ...settings, socketPath: engine.socketPath }, "worker-a", pino({ level: "silent" }));
});

afterAll(() => engine.stop());

describe("DockerRunner against the Engine API", () => {
  it("asks for an isolated, limited sibling container from the pinned KLEE image", async () => {
    engine.reset({ exitCode: 0 });
    await runner.run(job, limits);

    const [create] = engine.requestsTo("POST", /^\/containers\/create$/);
    const body = create.body as { Image: string; Cmd: string[]; Env: string[]; Labels: Record<string, string>; HostConfig: Record<string, unknown> };
    expect(body.Image).toBe(DEFAULT_JOB_IMAGE);
    expect(body.Image).toMatch(/^klee\/klee:[\w.]+@sha256:[0-9a-f]{64}$/);
    expect(body.HostConfig).toMatchObject({
      NetworkMode: "none",
      CpuShares: 512,
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
    });
    expect(body.Env).toEqual([`JOB_SOURCE=${job.source}`]);
    expect(body.Labels).toEqual({ "kleeweb.job": job.id, "kleeweb.worker": "worker-a" });
    const script = body.Cmd[body.Cmd.length - 1];
    expect(body.Cmd.slice(0, -1)).toEqual(["timeout", "-s", "KILL", "31", "sh", "-c"]);
    expect(script).toContain("printf '%s' \"$JOB_SOURCE\" > job.c");
    expect(script).toContain("clang -I /home/klee/klee_src/include -emit-llvm -c -g -O0 -Xclang -disable-O0-optnone job.c -o job.bc");
    expect(script).toContain("klee job.bc");
  });

  it("starts, waits for and removes the container, returning its exit code and demultiplexed output", async () => {
    engine.reset({ exitCode: 3, logs: [[1, "KLEE: output directory is klee-out-0\n"], [2, "KLEE: done: completed paths = 2\n"]] });
    const outcome = await runner.run(job, limits);

    expect(outcome).toEqual({
      exitCode: 3,
      timedOut: false,
      output: "KLEE: output directory is klee-out-0\nKLEE: done: completed paths = 2\n",
    });
    const calls = engine.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls.slice(0, 2)).toEqual(["POST /containers/create", `POST /containers/${CONTAINER_ID}/start`]);
    // Logs and wait are asked for together, in either order.
    expect(calls.slice(2, 4).sort()).toEqual([`GET /containers/${CONTAINER_ID}/logs`, `POST /containers/${CONTAINER_ID}/wait`]);
    expect(calls.slice(4)).toEqual([`DELETE /containers/${CONTAINER_ID}`]);
    expect(engine.requestsTo("DELETE", /^\/containers\//)[0].query.get("force")).toBe("true");
  });

  it("keeps only the first maxOutputBytes of the output and says how much it dropped", async () => {
    engine.reset({ logs: [[1, "a".repeat(1000)], [2, "b".repeat(100)]] });
    const { output } = await runner.run(job, limits);
    expect(output).toBe(`${"a".repeat(1000)}${"b".repeat(24)}\n[output truncated: 76 more bytes dropped]`);
  });

  it("kills and removes a container that outlives the timeout, and reports timed out", async () => {
    engine.reset({ runsForever: true, logs: [[1, "KLEE: exploring\n"]] });
    const started = Date.now();
    const outcome = await runner.run(job, limits);

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(outcome).toEqual({ exitCode: null, timedOut: true, output: "KLEE: exploring\n" });
    expect(engine.requestsTo("POST", /\/kill$/)).toHaveLength(1);
    expect(engine.requestsTo("DELETE", /^\/containers\//)).toHaveLength(1);
  });

  it("fails the job with the engine's reason when the image is missing, creating nothing to clean up", async () => {
    engine.reset({ createError: { status: 404, message: `No such image: ${DEFAULT_JOB_IMAGE}` } });
    const run = runner.run(job, limits);
    await expect(run).rejects.toThrow(RunnerError);
    await expect(run).rejects.toThrow(`the Docker engine could not create the job container from ${DEFAULT_JOB_IMAGE}: No such image: ${DEFAULT_JOB_IMAGE}`);
    expect(engine.requests).toHaveLength(1);
  });

  it("fails the job when the engine cannot start the container, and still removes it", async () => {
    engine.reset({ startError: { status: 500, message: "cgroup setup failed" } });
    await expect(runner.run(job, limits)).rejects.toThrow("the Docker engine could not start the job container: cgroup setup failed");
    expect(engine.requestsTo("DELETE", /^\/containers\//)).toHaveLength(1);
  });

  it("fails the job when there is no engine at the socket", async () => {
    const nowhere = new DockerRunner({ ...settings, socketPath: `${engine.socketPath}.missing` }, "worker-a", pino({ level: "silent" }));
    await expect(nowhere.run(job, limits)).rejects.toThrow(/the Docker engine could not create the job container .*ENOENT/);
  });

  it("kills the container and rejects when the worker interrupts the job", async () => {
    engine.reset({ runsForever: true });
    const interrupt = new AbortController();
    const run = runner.run(job, { ...limits, timeoutSeconds: 60 }, interrupt.signal);
    setTimeout(() => interrupt.abort(new Error("the worker is stopping")), 200);
    await expect(run).rejects.toThrow("the worker is stopping");
    expect(engine.requestsTo("POST", /\/kill$/)).toHaveLength(1);
    expect(engine.requestsTo("DELETE", /^\/containers\//)).toHaveLength(1);
  });
});
