/**
 * What the deployment tests share: the deployed `ci` stack (made by setup.ts),
 * its `labs` output, the engine it runs on, and small clients for what a
 * student uses: HTTP through the published ports, `docker` by container name.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CI_STACK, docker, labsOk, labsOutput, NOT_JUDGED, prepareCiStack, REPO_ROOT, type CiStack, type PolicyPreview } from "@container-labs/test-kit";

export type Labs = Awaited<ReturnType<typeof labsOutput>>;

export interface Deployed {
  stack: CiStack;
  labs: Labs;
  /** `docker <args>` against the stack's engine; rejects with docker's output when it fails. */
  docker(...args: string[]): Promise<string>;
}

export async function deployed(): Promise<Deployed> {
  const stack = await prepareCiStack();
  return { stack, labs: await labsOutput(stack), docker: (...args) => docker(stack.engine, args) };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/** One HTTP request, its whole body read. */
export async function http(url: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** Sends one line over TCP and resolves with the first line answered. */
export function tcpLine(host: string, port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write(`${line}\n`));
    let received = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer from ${host}:${port} in 10 s`)));
    socket.on("data", (chunk) => {
      received += chunk.toString();
      if (received.includes("\n")) {
        socket.end();
        resolve(received.split("\n")[0]);
      }
    });
    socket.on("error", reject);
  });
}

/** kleeweb's view of one job. */
export interface KleeJob {
  status: string;
  output: string;
}

/** kleeweb's view of job `id`, from its site. */
export const kleeJob = async (site: string, id: string): Promise<KleeJob> => (await http(`${site}api/jobs/${id}`)).json<KleeJob>();

/**
 * Submits a KLEE job through kleeweb's site and waits until it ends. Resolves
 * to its id, kleeweb's view of it, and the image of each container labelled
 * with the job that the engine of `docker` (the one whose socket the workers
 * hold) started meanwhile, from that engine's events.
 */
export async function runKleeJob(site: string, docker: (...args: string[]) => Promise<string>): Promise<{ id: string; finished: KleeJob; jobImages: string[] }> {
  const submitted = await http(`${site}api/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source: "int main(void) { return 0; }" }) });
  const since = Math.floor(Date.now() / 1000) - 1;
  if (submitted.status !== 201) throw new Error(`POST ${site}api/jobs answered ${submitted.status}: ${submitted.text}`);
  const { id } = submitted.json<{ id: string }>();
  const finished = await eventually(`job ${id} finished`, async () => {
    const view = await kleeJob(site, id);
    return ["succeeded", "failed"].includes(view.status) ? view : undefined;
  }, 180_000);
  // The job container carries the job's label (kept by the worker until it is done).
  const started = await docker("events", "--since", String(since), "--until", String(Math.ceil(Date.now() / 1000)), "--filter", `label=kleeweb.job=${id}`, "--filter", "event=start", "--format", "{{.Actor.Attributes.image}}");
  return { id, finished, jobImages: started.split("\n").filter(Boolean) };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * The policy pack's verdict on a stack that is up: the CLI ran the pack,
 * reported no violation and succeeded. Every value is known once a stack is
 * up, so no rule may have been skipped as "not known during preview".
 */
export function expectNoViolation(preview: PolicyPreview): void {
  expect(preview.pack).toBe("container-labs@v0.1.0");
  expect(preview.violations).toEqual([]);
  expect(preview.output).not.toMatch(NOT_JUDGED);
  expect({ status: preview.status, tail: preview.output.slice(-3000) }).toEqual({ status: 0, tail: expect.any(String) });
}

/** The URN of the resource of `type` named `name` in the ci stack's state (for `up --replace`, `--target`). */
export async function urnOf(stack: CiStack, type: string, name: string): Promise<string> {
  const { output } = await labsOk(stack, ["pulumi", "stack", "export", "--stack", CI_STACK], { quiet: true });
  const state = JSON.parse(output.slice(output.indexOf("{"))) as { deployment: { resources: { urn: string; type: string }[] } };
  const urn = state.deployment.resources.map((resource) => resource.urn).find((candidate) => candidate.endsWith(`${type}::${name}`));
  if (!urn) throw new Error(`no ${type} named ${name} in the ci stack`);
  return urn;
}

/** Seconds that `work` took. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const TIMINGS = join(REPO_ROOT, "test-artifacts", "deploy-timings.json");

/** Adds one timing (seconds) to test-artifacts/deploy-timings.json, for the record. */
export function recordTiming(name: string, seconds: number): void {
  mkdirSync(join(REPO_ROOT, "test-artifacts"), { recursive: true });
  let timings: Record<string, number> = {};
  try {
    timings = JSON.parse(readFileSync(TIMINGS, "utf8"));
  } catch {
    // first timing of this run
  }
  writeFileSync(TIMINGS, JSON.stringify({ ...timings, [name]: seconds }, null, 2));
}

/** What a line run as printed did: its exit status, its output, and the HTTP status of each curl in it, in order. */
export interface Printed {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  httpStatuses: number[];
}

const HTTP_STATUS_MARK = "container-labs-http-status";

/**
 * A curl configuration that adds one line to stderr after every transfer,
 * its status: the real curl runs the line as printed, and the status is seen
 * even where the line keeps curl's answer in a variable.
 */
let curlHome: string | undefined;
function curlHomeReportingStatus(): string {
  if (curlHome === undefined) {
    curlHome = mkdtempSync(join(tmpdir(), "container-labs-curl-"));
    writeFileSync(join(curlHome, ".curlrc"), `write-out = "%{stderr}${HTTP_STATUS_MARK} %{http_code}\\n"\n`);
  }
  return curlHome;
}

export interface RunPrintedOptions {
  /** Stop the line (and what it started) once its output matches: for a line that follows a log. */
  until?: RegExp;
  /** A line that has neither ended nor matched by then fails. */
  timeoutMs?: number;
}

/**
 * Runs a line as a user pastes it: through sh, in the checkout's root, with
 * this machine's curl, nc and docker, the stack's engine as DOCKER_HOST.
 */
export function runPrinted(stack: CiStack, line: string, options: RunPrintedOptions = {}): Promise<Printed> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so a line that follows a log is stopped with everything it started.
    const child = spawn("sh", ["-c", line], { cwd: REPO_ROOT, env: { ...stack.env, CURL_HOME: curlHomeReportingStatus() }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    const stop = () => {
      stopped = true;
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already ended
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${options.until ? `no ${options.until} in the output of` : "did not end"} within ${timeoutMs / 1000} s: ${line}\n${stdout}${stderr}`));
    }, timeoutMs);
    const seen = () => {
      if (options.until?.test(stdout + stderr) && !stopped) stop();
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      seen();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      seen();
    });
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      const marks = [...stderr.matchAll(new RegExp(`^${HTTP_STATUS_MARK} (\\d{3})$`, "gm"))];
      resolvePromise({ exitCode, stdout, stderr: stderr.replace(new RegExp(`^${HTTP_STATUS_MARK} \\d{3}\n`, "gm"), ""), httpStatuses: marks.map((mark) => Number(mark[1])) });
    });
  });
}
