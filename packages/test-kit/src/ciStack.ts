/**
 * The `ci` stack: the program deployed for real on the private engine, with
 * the stand-in images, by the command a newcomer runs (`npm run up`, i.e.
 * scripts/labs.sh), with the Pulumi toolchain built from Go modules on PATH.
 * Used by the deployment tests (test/deploy) and the deployment benchmark.
 *
 * The stack file Pulumi.ci.yaml (git-ignored) is test/deploy/ci-stack.yaml
 * plus what depends on this machine: the engine's socket, the stand-ins'
 * references, a data directory of its own, and this machine's CA bundle for
 * builds behind its TLS-inspecting proxy.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { MANAGED_BY_FILTER } from "../../../policy/lib/labels";
import { cacheDir } from "./cache";
import { docker, requireEngine, requireStandins, type Engine } from "./engine";

export const REPO_ROOT = resolve(__dirname, "..", "..", "..");
export const CI_STACK = "ci";
const PROJECT = "container-labs";
const TEMPLATE = join(REPO_ROOT, "test", "deploy", "ci-stack.yaml");
const STACK_FILE = join(REPO_ROOT, `Pulumi.${CI_STACK}.yaml`);
/**
 * The CAs this machine adds to the system's (Debian's update-ca-certificates
 * input): builds reach npm through a TLS-inspecting proxy here, as on many
 * corporate networks. Only these, not the whole system bundle, which is over
 * the size a build secret may have (see buildCaBundle in config.ts).
 */
const LOCAL_CA_DIR = "/usr/local/share/ca-certificates";

/** The machine's own CAs in one PEM file for buildCaBundle, or undefined when it adds none. */
export function localCaBundle(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const certificates = existsSync(LOCAL_CA_DIR) ? readdirSync(LOCAL_CA_DIR).filter((name) => name.endsWith(".crt")).sort() : [];
  if (certificates.length === 0) return undefined;
  const bundle = join(cacheDir(env), "ci-ca-bundle.pem");
  writeFileSync(bundle, certificates.map((name) => readFileSync(join(LOCAL_CA_DIR, name), "utf8").trim() + "\n").join(""));
  return bundle;
}

/** Where the ci stack keeps its bind-mounted lab data (the latency file, the docker-basics file). */
export function ciDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), "ci-data");
}

/** The environment with the Pulumi toolchain first on PATH, as `scripts/pulumi-toolchain.sh env` sets it. */
export function toolchainEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const printed = execFileSync("bash", ["-c", 'eval "$(scripts/pulumi-toolchain.sh env)" && env -0'], { cwd: REPO_ROOT, env: base, encoding: "utf8" });
  const env: NodeJS.ProcessEnv = {};
  for (const entry of printed.split("\0").filter(Boolean)) {
    const at = entry.indexOf("=");
    env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  if (!existsSync(join(env.PATH!.split(":")[0], "pulumi"))) {
    throw new Error("the Pulumi toolchain is not built: run scripts/pulumi-toolchain.sh first");
  }
  return env;
}

export interface CiStack {
  engine: Engine;
  env: NodeJS.ProcessEnv;
  /** The stand-ins' references, by external image name. */
  standins: Record<string, string>;
}

/** Writes Pulumi.ci.yaml for this machine and returns what running the stack needs. */
export async function prepareCiStack(): Promise<CiStack> {
  const engine = await requireEngine();
  const standins = await requireStandins(engine);
  const template = parse(readFileSync(TEMPLATE, "utf8")) as { config: Record<string, unknown> };
  const config: Record<string, unknown> = {
    ...template.config,
    [`${PROJECT}:localDockerHost`]: engine.dockerHost,
    [`${PROJECT}:localDataDir`]: ciDataDir(),
    [`${PROJECT}:externalImages`]: Object.entries(standins).map(([name, ref]) => `${name}=${ref}`),
  };
  const caBundle = localCaBundle();
  if (caBundle) config[`${PROJECT}:buildCaBundle`] = caBundle;
  // Keep the encryption salt of an existing stack: it pairs with the passphrase of this checkout's state.
  const salt = existsSync(STACK_FILE) ? (parse(readFileSync(STACK_FILE, "utf8")) as { encryptionsalt?: string }).encryptionsalt : undefined;
  writeFileSync(STACK_FILE, `# Written by the tests (packages/test-kit/src/ciStack.ts) from test/deploy/ci-stack.yaml.\n${stringify({ ...(salt ? { encryptionsalt: salt } : {}), config })}`);
  return { engine, env: { ...toolchainEnv(), DOCKER_HOST: engine.dockerHost }, standins };
}

export interface CommandResult {
  status: number;
  output: string;
  seconds: number;
}

export interface LabsOptions {
  /** Keep the output off stderr (a query's answer). */
  quiet?: boolean;
  /** Given on standard input (e.g. a secret for `config set --secret <key>`, which reads it there). */
  input?: string;
}

/**
 * Runs `scripts/labs.sh <args>` (what `npm run up|down|pulumi` run), its output
 * streamed to this process's stderr so a long run can be followed (unless
 * quiet: a query's answer), and kept.
 */
export function labs(stack: CiStack, args: string[], options: LabsOptions = {}): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const stdin = options.input === undefined ? "ignore" : "pipe";
    const child = spawn(join(REPO_ROOT, "scripts", "labs.sh"), args, { cwd: REPO_ROOT, env: stack.env, stdio: [stdin, "pipe", "pipe"] });
    child.stdin?.end(options.input);
    let output = "";
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      if (!options.quiet) process.stderr.write(chunk);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ status: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

/** Runs labs(), failing with its output's tail when it does not succeed. */
export async function labsOk(stack: CiStack, args: string[], options: LabsOptions = {}): Promise<CommandResult> {
  const result = await labs(stack, args, options);
  if (result.status !== 0) throw new Error(`scripts/labs.sh ${args.join(" ")} exited ${result.status}:\n${result.output.slice(-6000)}`);
  return result;
}

/** `npm run up -- --stack ci [args]`. */
export const up = (stack: CiStack, ...args: string[]) => labsOk(stack, ["up", "--stack", CI_STACK, ...args]);
/** `npm run pulumi -- <args> --stack ci`. */
export const pulumiCi = (stack: CiStack, ...args: string[]) => labsOk(stack, ["pulumi", ...args, "--stack", CI_STACK, "--non-interactive"]);

/** A stack's `labs` output (the ci stack's unless another is named). */
export async function labsOutput(stack: CiStack, name = CI_STACK): Promise<Record<string, { urls: Record<string, string>; tryIt: string[]; details?: Record<string, unknown> }>> {
  const { output } = await labsOk(stack, ["pulumi", "stack", "output", "labs", "--json", "--stack", name], { quiet: true });
  return JSON.parse(output.slice(output.indexOf("{")));
}

/** Removes what an earlier run left on the engine (the project's containers, networks and volumes) and the data directory. */
export async function removeLeftovers(stack: CiStack): Promise<void> {
  const ours = async (list: string[]) => (await docker(stack.engine, [...list, "--quiet", "--filter", `label=${MANAGED_BY_FILTER}`])).split("\n").filter(Boolean);
  const containers = await ours(["ps", "--all"]);
  if (containers.length > 0) await docker(stack.engine, ["rm", "--force", ...containers]);
  const networks = await ours(["network", "ls"]);
  if (networks.length > 0) await docker(stack.engine, ["network", "rm", ...networks]);
  const volumes = await ours(["volume", "ls"]);
  if (volumes.length > 0) await docker(stack.engine, ["volume", "rm", "--force", ...volumes]);
  rmSync(ciDataDir(), { recursive: true, force: true });
}

/**
 * The one-line edit of one service's source that the life-cycle test and the
 * deployment benchmark make: a comment appended to dockercoins rng's entry
 * point (tsc keeps it in dist/main.js, so the rebuilt image shows it). The
 * line names this process's own run: text an earlier run appended is still in
 * the engine's build cache, and an `up` that found it there would rebuild
 * nothing, so the edit must be new every time.
 */
export const ONE_LINE_EDIT = {
  file: join(REPO_ROOT, "images", "dockercoins", "rng", "src", "main.ts"),
  line: `// a one-line edit by the ci stack's life-cycle test or benchmark, run ${randomUUID()}`,
  /** The resources named after the edited service: its image, its containers. */
  service: "dockercoins-rng",
};

/** Runs `work` with the one-line edit (or another `line`) in place, and puts the file back whatever happens. */
export async function withOneLineEdit<T>(work: () => Promise<T>, line: string = ONE_LINE_EDIT.line): Promise<T> {
  const original = readFileSync(ONE_LINE_EDIT.file, "utf8");
  appendFileSync(ONE_LINE_EDIT.file, `${line}\n`);
  try {
    return await work();
  } finally {
    writeFileSync(ONE_LINE_EDIT.file, original);
  }
}

/** A first deployment: the ci stack's state and what an earlier run left on the engine removed, then `up`. */
export async function freshUp(): Promise<CommandResult> {
  const earlier = await prepareCiStack();
  await labs(earlier, ["pulumi", "stack", "rm", "--yes", "--force", "--stack", CI_STACK]);
  await removeLeftovers(earlier);
  return up(await prepareCiStack());
}
