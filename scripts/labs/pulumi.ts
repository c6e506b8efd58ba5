/** Running the Pulumi CLI for `npm run up` / `npm run down`, with the checkout's own backend and passphrase. */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
/** The self-managed state backend: inside the checkout, git-ignored, no Pulumi account. */
export const STATE_DIR = path.join(ROOT, ".pulumi-state");
/** The passphrase of the stacks' secrets, generated once and kept beside the state. */
export const PASSPHRASE_FILE = path.join(STATE_DIR, "passphrase");

export { npmRun } from "../../components/labs/npmCommands";

/** Thrown for a problem the user can fix; main prints its message alone, no stack trace. */
export class UserError extends Error {}

/**
 * The environment every pulumi call gets: the checkout's file backend and
 * passphrase file, unless the user chose their own backend or passphrase.
 */
export function pulumiEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PULUMI_SKIP_UPDATE_CHECK: "true", ...base };
  if (!env.PULUMI_BACKEND_URL) {
    mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
    env.PULUMI_BACKEND_URL = `file://${STATE_DIR}`;
  }
  if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    if (!existsSync(PASSPHRASE_FILE)) {
      mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
      writeFileSync(PASSPHRASE_FILE, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600 });
      console.log(`container-labs: generated the stacks' secrets passphrase in ${path.relative(ROOT, PASSPHRASE_FILE)} (keep it: it decrypts this checkout's state)`);
    }
    chmodSync(PASSPHRASE_FILE, 0o600);
    env.PULUMI_CONFIG_PASSPHRASE_FILE = PASSPHRASE_FILE;
  }
  return env;
}

/**
 * What Pulumi prints after a destroy that leaves no resource in the stack.
 * Its `pulumi stack rm <stack>` fails as printed (a bare pulumi finds neither
 * this checkout's state nor its passphrase), and a stack's removal would take
 * its stack file too (Pulumi.local.yaml is the project's): `npm run down`
 * says what stays itself.
 */
export const STACK_RM_HINT: readonly RegExp[] = [
  /^The resources in the stack have been deleted, but the history and configuration associated with the stack are still maintained\. ?$/,
  /^If you want to remove the stack completely, run `pulumi stack rm [^`]*`\.$/,
];

/** Passes a stream's text on line by line, less the lines `drop` matches; a line is judged once it is whole. */
export function lineFilter(drop: readonly RegExp[]): { write(chunk: string): string; end(): string } {
  let partial = "";
  const kept = (line: string) => !drop.some((pattern) => pattern.test(line));
  return {
    write(chunk) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      return lines.filter(kept).map((line) => `${line}\n`).join("");
    },
    end() {
      const last = partial;
      partial = "";
      return kept(last) ? last : "";
    },
  };
}

/**
 * Runs pulumi with its output on this terminal; resolves with its exit code.
 * With `drop`, its standard output goes through lineFilter (a pipe, so Pulumi
 * shows its plain line-by-line display instead of the live one).
 */
export function runPulumi(args: string[], env: NodeJS.ProcessEnv, drop?: readonly RegExp[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { cwd: ROOT, env, stdio: ["inherit", drop ? "pipe" : "inherit", "inherit"] });
    if (drop) {
      const filter = lineFilter(drop);
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (chunk: string) => process.stdout.write(filter.write(chunk)));
      child.stdout!.on("end", () => process.stdout.write(filter.end()));
    }
    child.on("error", reject);
    // "close", not "exit": the filtered output is all written by then.
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const NO_PULUMI = "no Pulumi CLI on PATH: install it (https://www.pulumi.com/docs/iac/download-install/, e.g. `curl -fsSL https://get.pulumi.com | sh`), then run this again";

/** Runs pulumi and resolves with its standard output; a failure carries its standard error. */
export function capturePulumi(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // A numeric code is pulumi's exit status; a string one is Node's (ENOENT: no pulumi on PATH).
      if (!error) resolve(stdout);
      else if (typeof error.code === "number") reject(new UserError(`pulumi ${args.join(" ")} failed:\n${stderr.trim()}`));
      else reject(error.code === "ENOENT" ? new UserError(NO_PULUMI) : error);
    });
  });
}

/** The version of the Pulumi CLI on PATH, or a UserError saying how to get one. */
export async function pulumiVersion(env: NodeJS.ProcessEnv): Promise<string> {
  try {
    return (await capturePulumi(["version"], env)).trim();
  } catch {
    throw new UserError(NO_PULUMI);
  }
}

/**
 * Selects the stack, creating it in the checkout's backend the first time.
 * One CLI call when the stack exists (each call costs the CLI's start): the
 * list is read only when selecting fails, to tell a missing stack from
 * another failure.
 */
export async function selectStack(stack: string, create: boolean, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await capturePulumi(["stack", "select", stack], env);
    return;
  } catch (err) {
    const known = (JSON.parse(await capturePulumi(["stack", "ls", "--json"], env)) as Array<{ name: string }>).some((entry) => entry.name === stack);
    if (known) throw err;
    if (!create) throw new UserError(`no stack "${stack}" in this checkout's state (${path.relative(ROOT, STATE_DIR)}): nothing to do`);
  }
  console.log(`container-labs: creating the stack "${stack}" in ${path.relative(ROOT, STATE_DIR)}`);
  // init selects the stack it creates.
  await capturePulumi(["stack", "init", stack], env);
}

/** A stack's configuration as `pulumi config --json --show-secrets` lists it (the CLI applies Pulumi.yaml's defaults). */
export type ConfigListing = Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>;

export async function listConfig(stack: string, env: NodeJS.ProcessEnv): Promise<ConfigListing> {
  return JSON.parse(await capturePulumi(["config", "--json", "--show-secrets", "--stack", stack], env)) as ConfigListing;
}
