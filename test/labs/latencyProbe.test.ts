/**
 * The probe's shell script, run for real by /bin/sh: the latency probe runs as
 * a process against a real notifications-service, through a stand-in `docker`
 * that maps the container's bind mount and the service's name onto this machine.
 */
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startService, type ServiceProcess } from "@container-labs/test-kit";
import { COURSE_NOTIFICATIONS_KEY } from "../../config";
import { parseLatencies, probeScript, RESULTS_FILE } from "../../components/labs/notifications/latencyProbe";

const ROOT = path.resolve(__dirname, "..", "..");

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runScript(script: string, stdin: string, env: Record<string, string>): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = execFile("/bin/sh", ["-c", script], { env: { ...process.env, ...env }, timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

describe("the latency probe's script on the Docker host", () => {
  let service: ServiceProcess;
  let work: string;
  let resultsDir: string;
  let env: Record<string, string>;
  const script = (runs: number) =>
    probeScript({ image: "sha256:probe", network: "notifications", resultsDir, url: "http://notifications-service:3000/api/notify", runs });

  beforeAll(async () => {
    service = await startService("notifications-service", {
      script: path.join(ROOT, "images/notifications/notifications-service/dist/main.js"),
      args: ["--secret-key", COURSE_NOTIFICATIONS_KEY],
    });
  });
  afterAll(async () => {
    await service.stop();
  });
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), "probe-script-"));
    resultsDir = path.join(work, "results");
    const bin = path.join(work, "bin");
    require("node:fs").mkdirSync(resultsDir);
    require("node:fs").mkdirSync(bin);
    copyFileSync(path.join(__dirname, "fixtures/fake-docker.sh"), path.join(bin, "docker"));
    chmodSync(path.join(bin, "docker"), 0o755);
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_DOCKER_LOG: path.join(work, "docker.log"),
      FAKE_DOCKER_ENTRY: path.join(ROOT, "images/notifications/latency-probe/dist/main.js"),
      FAKE_DOCKER_SERVICE_URL: service.url("").replace(/\/$/, ""),
    };
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("runs the probe three times, appends three lines, and prints exactly those latencies", async () => {
    const result = await runScript(script(3), `${COURSE_NOTIFICATIONS_KEY}\n`, env);
    expect(result.code).toBe(0);
    const latencies = parseLatencies(result.stdout);
    expect(latencies).toHaveLength(3);
    // With the key, each run encrypts a fresh timestamp: these are real request latencies, milliseconds
    // on loopback, so under 1 s keeps far over 3x; a stale timestamp (the example's, 2023) reads as years.
    for (const latency of latencies) expect(latency).toBeGreaterThan(0), expect(latency).toBeLessThan(1);
    expect(parseLatencies(readFileSync(path.join(resultsDir, RESULTS_FILE), "utf8"))).toEqual(latencies);
    expect(result.stderr).toContain("latency probe: run 3 of 3");
  }, 60000);

  it("keeps earlier runs' lines and reports only this deployment's", async () => {
    writeFileSync(path.join(resultsDir, RESULTS_FILE), "0.5\n0.25\n");
    const result = await runScript(script(2), `${COURSE_NOTIFICATIONS_KEY}\n`, env);
    expect(result.code).toBe(0);
    const lines = parseLatencies(readFileSync(path.join(resultsDir, RESULTS_FILE), "utf8"));
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 2)).toEqual([0.5, 0.25]);
    expect(parseLatencies(result.stdout)).toEqual(lines.slice(2));
  }, 60000);

  it("passes the key by name only: it is in no docker command line", async () => {
    await runScript(script(1), `${COURSE_NOTIFICATIONS_KEY}\n`, env);
    const calls = readFileSync(env.FAKE_DOCKER_LOG, "utf8");
    expect(calls).toContain("run --rm --network notifications");
    expect(calls).toContain("--env SECRET_KEY --env NOTIFICATIONS_URL=http://notifications-service:3000/api/notify");
    expect(calls).not.toContain(COURSE_NOTIFICATIONS_KEY);
  }, 60000);

  it("fails, and appends nothing, when the service cannot be reached", async () => {
    const result = await runScript(script(3), `${COURSE_NOTIFICATIONS_KEY}\n`, { ...env, FAKE_DOCKER_SERVICE_URL: "http://127.0.0.1:9" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("latency probe: run 1 of 3");
    expect(result.stderr).not.toContain("run 2 of 3");
    const file = path.join(resultsDir, RESULTS_FILE);
    expect(existsSync(file) ? readFileSync(file, "utf8") : "").toBe("");
  }, 60000);
});

describe("reading the latencies back", () => {
  it("parses one number per line and names a line that is not one", () => {
    expect(parseLatencies("0.002\n1693833763.5\n\n")).toEqual([0.002, 1693833763.5]);
    expect(() => parseLatencies("0.1\nconnection refused\n")).toThrow('latency probe: "connection refused" in the results file is not a number');
  });
});
