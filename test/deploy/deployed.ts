/**
 * What the deployment tests share: the deployed `ci` stack (made by setup.ts),
 * its `labs` output, the engine it runs on, and small clients for what a
 * student uses: HTTP through the published ports, `docker` by container name.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
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
