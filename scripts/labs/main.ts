/**
 * `npm run up [-- --stack <name>] [pulumi up options]`: checks everything it
 * can before anything is created, selects or creates the stack in this
 * checkout's own state backend, runs `pulumi up`, and prints where to go.
 * `npm run down [-- --stack <name>]`: destroys it, keeping what the README
 * says is kept (retained and protected data volumes).
 * `npm run labs [-- --stack <name>]`: where to go and what to try, again.
 * `npm run pulumi -- <args>`: any other pulumi command on this checkout's
 * state (e.g. `npm run pulumi -- config set dockercoinsWorkers 4`).
 */
import * as path from "node:path";
import { formatLabs, type LabsOutput } from "./labsTable";
import { describeLeftovers, findLeftovers } from "./leftovers";
import { protectedVolumes, stackResources, stateContainers } from "./stackState";
import { stoppedByHand } from "./stoppedByHand";
import { preflight, stackConfig } from "./preflight";
import { capturePulumi, npmRun, PASSPHRASE_FILE, pulumiEnvironment, pulumiVersion, ROOT, runPulumi, selectStack, UserError } from "./pulumi";

const USAGE = [
  "usage: npm run up [-- [--stack <name>] [pulumi up options]]",
  "       npm run down [-- [--stack <name>]]",
  "       npm run labs [-- [--stack <name>]]",
  "       npm run pulumi -- <pulumi command and options>",
].join("\n");

interface Invocation {
  command: "up" | "down" | "labs" | "pulumi";
  stack: string;
  /** Passed on to pulumi. */
  rest: string[];
}

function parse(argv: string[]): Invocation {
  const [command, ...args] = argv;
  if (command === "pulumi") return { command, stack: "", rest: args };
  if (command !== "up" && command !== "down" && command !== "labs") throw new UserError(USAGE);
  let stack = "local";
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--stack" || args[i] === "-s") stack = args[++i] ?? "";
    else rest.push(args[i]);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UserError(`--stack: a stack name (letters, digits, '-', '_', '.'), got "${stack}"\n${USAGE}`);
  return { command, stack, rest };
}

async function up({ stack, rest }: Invocation, env: NodeJS.ProcessEnv): Promise<number> {
  console.log(`container-labs: ${pulumiVersion(env)}, state in ${path.relative(ROOT, env.PULUMI_BACKEND_URL?.replace(/^file:\/\//, "") ?? "") || env.PULUMI_BACKEND_URL}`);
  selectStack(stack, true, env);
  const state = stackResources(stack, env);
  const config = await preflight(stack, env, state);
  if (config.local) {
    const stopped = await stoppedByHand(config.dockerHost, stateContainers(state));
    if (stopped.length > 0) {
      console.log(`container-labs: stopped by hand: ${stopped.map((container) => container.name).join(", ")}; refreshing them, so that this up starts them again`);
      const refreshed = await runPulumi(["refresh", "--yes", "--skip-preview", "--stack", stack, ...stopped.flatMap((container) => ["--target", container.urn])], env);
      if (refreshed !== 0) return refreshed;
    }
  }
  const status = await runPulumi(["up", "--yes", "--stack", stack, ...rest], env);
  if (status !== 0) return status;
  console.log(`\n${labsOf(stack, env)}`);
  console.log(`\nSecrets passphrase: ${path.relative(ROOT, env.PULUMI_CONFIG_PASSPHRASE_FILE ?? PASSPHRASE_FILE)}. Remove it all with: ${npmRun("down", stack)}`);
  return 0;
}

/** The stack's `labs` output as a table and every line to try. */
function labsOf(stack: string, env: NodeJS.ProcessEnv): string {
  const labs = JSON.parse(capturePulumi(["stack", "output", "labs", "--json", "--stack", stack], env)) as LabsOutput | null;
  if (!labs || Object.keys(labs).length === 0) return `The stack "${stack}" has no labs deployed: ${npmRun("up", stack)}`;
  return formatLabs(labs);
}

/** Whether the stack still runs containers: after `npm run down` its state keeps the last outputs, but nothing they point to. */
function hasContainers(stack: string, env: NodeJS.ProcessEnv): boolean {
  return stateContainers(stackResources(stack, env)).length > 0;
}

function labs({ stack }: Invocation, env: NodeJS.ProcessEnv): number {
  pulumiVersion(env);
  selectStack(stack, false, env);
  console.log(hasContainers(stack, env) ? labsOf(stack, env) : `The stack "${stack}" is down: nothing runs. Bring it up with: ${npmRun("up", stack)}`);
  return 0;
}

async function down({ stack, rest }: Invocation, env: NodeJS.ProcessEnv): Promise<number> {
  pulumiVersion(env);
  selectStack(stack, false, env);
  // Protected resources (kleeweb's postgres_data, by default) stay, as the README says; retained volumes leave the state but stay in Docker.
  const status = await runPulumi(["destroy", "--yes", "--exclude-protected", "--stack", stack, ...rest], env);
  if (status !== 0) return status;
  const config = stackConfig(stack, env);
  if (config.local) {
    const leftovers = await findLeftovers(config.dockerHost, protectedVolumes(stackResources(stack, env)), config.local.dataDir);
    console.log(`\n${describeLeftovers(leftovers, stack)}`);
  }
  return 0;
}

async function main(): Promise<number> {
  const invocation = parse(process.argv.slice(2));
  const env = pulumiEnvironment();
  switch (invocation.command) {
    case "up":
      return up(invocation, env);
    case "down":
      return down(invocation, env);
    case "labs":
      return labs(invocation, env);
    case "pulumi":
      return runPulumi(invocation.rest, env);
  }
}

main().then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(`container-labs: ${err instanceof UserError ? err.message : (err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
