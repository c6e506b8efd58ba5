/**
 * scripts/labs/main.ts (what `npm run up|down|labs|pulumi` run) as a user
 * runs it, with a stand-in `pulumi` first on PATH: a Node script of the
 * test's own that reads and writes a "world" file and logs every call.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, stackConfig } from "./stackConfig";

export interface LabsRun {
  status: number;
  output: string;
  /** Every pulumi call's arguments, in order. */
  calls: string[][];
  /** The world file as the stand-in left it. */
  world: Record<string, unknown>;
}

/** Runs main.ts with `args`; the stand-in's source reads FAKE_PULUMI_WORLD and appends its arguments to FAKE_PULUMI_LOG. */
export async function runLabs(args: string[], fakePulumi: string, world: Record<string, unknown>): Promise<LabsRun> {
  const dir = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "pulumi"), fakePulumi);
  chmodSync(join(dir, "bin", "pulumi"), 0o755);
  writeFileSync(join(dir, "world.json"), JSON.stringify(world));
  const env = {
    ...process.env,
    PATH: `${join(dir, "bin")}:${process.env.PATH}`,
    FAKE_PULUMI_WORLD: join(dir, "world.json"),
    FAKE_PULUMI_LOG: join(dir, "calls.log"),
    // The checkout's own state and passphrase stay untouched.
    PULUMI_BACKEND_URL: `file://${dir}/state`,
    PULUMI_CONFIG_PASSPHRASE: "test",
  };
  const child = spawn(join(ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", "--project", "tsconfig.json", "scripts/labs/main.ts", ...args], { cwd: ROOT, env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const status = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  const log = existsSync(join(dir, "calls.log")) ? readFileSync(join(dir, "calls.log"), "utf8") : "";
  return {
    status,
    output,
    calls: log.split("\n").filter(Boolean).map((line) => JSON.parse(line) as string[]),
    world: JSON.parse(readFileSync(join(dir, "world.json"), "utf8")) as Record<string, unknown>,
  };
}

/** The stack's config as `pulumi config --json --show-secrets` lists it (Pulumi.yaml's defaults applied), from the test's own stack reader. */
export function cliConfig(stack: string, set: Record<string, unknown>, secrets: Record<string, string> = {}): Record<string, { value: string; secret: boolean }> {
  const { values, secretKeys } = stackConfig(stack, set, secrets);
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value, secret: secretKeys.includes(key) }]));
}
