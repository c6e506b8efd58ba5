/**
 * `npm run up [-- --stack <name>] [pulumi up options]`: checks everything it
 * can before anything is created, selects or creates the stack in this
 * checkout's own state backend, runs `pulumi up`, and prints where to go.
 * `npm run down [-- --stack <name>] [--purge]`: destroys it, keeping what the
 * README says is kept (retained and protected data volumes, the images built
 * here, the labs' files) and saying so; with --purge, removes those too, after
 * printing exactly what it removes (this machine's engine only: the local target).
 * `npm run labs [-- --stack <name>]`: where to go and what to try, again.
 * `npm run notification [-- --stack <name>]`: the assignment's request sealed
 * with the stack's notifications key (scripts/labs/notification.ts).
 * `npm run pulumi -- <args>`: any other pulumi command on this checkout's
 * state (e.g. `npm run pulumi -- config set dockercoinsWorkers 4`).
 */
import * as path from "node:path";
import { formatLabs, type LabsOutput } from "./labsTable";
import { protectedVolumes, stackResources, stateContainers } from "./stackState";
import { capturePulumi, listConfig, npmRun, PASSPHRASE_FILE, pulumiEnvironment, pulumiVersion, ROOT, runPulumi, selectStack, STACK_RM_HINT, UserError } from "./pulumi";

/**
 * The checks' modules, which load the program's own and @pulumi/pulumi with
 * them: seconds of this process's time, which `up` spends while its first
 * pulumi calls run, so they are required when used, not imported.
 */
function checkModules(): typeof import("./preflight") & typeof import("./leftovers") & typeof import("./stoppedByHand") {
  return { ...(require("./preflight") as typeof import("./preflight")), ...(require("./leftovers") as typeof import("./leftovers")), ...(require("./stoppedByHand") as typeof import("./stoppedByHand")) };
}

const USAGE = [
  "usage: npm run up [-- [--stack <name>] [pulumi up options]]",
  "       npm run down [-- [--stack <name>] [--purge]]",
  "       npm run labs [-- [--stack <name>]]",
  "       npm run notification [-- [--stack <name>]]",
  "       npm run pulumi -- <pulumi command and options>",
].join("\n");

/** The stack of `npm run up|down|labs` without --stack, and of `npm run pulumi` before any is selected. */
const DEFAULT_STACK = "local";

interface Invocation {
  command: "up" | "down" | "labs" | "notification" | "pulumi";
  stack: string;
  /** down: remove what down leaves, data included. */
  purge: boolean;
  /** Passed on to pulumi. */
  rest: string[];
}

function parse(argv: string[]): Invocation {
  const [command, ...args] = argv;
  if (command === "pulumi") return { command, stack: "", purge: false, rest: args };
  if (command !== "up" && command !== "down" && command !== "labs" && command !== "notification") throw new UserError(USAGE);
  let stack = DEFAULT_STACK;
  let purge = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--stack" || args[i] === "-s") stack = args[++i] ?? "";
    else if (args[i] === "--purge" && command === "down") purge = true;
    else rest.push(args[i]);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UserError(`--stack: a stack name (letters, digits, '-', '_', '.'), got "${stack}"\n${USAGE}`);
  return { command, stack, purge, rest };
}

async function up({ stack, rest }: Invocation, env: NodeJS.ProcessEnv): Promise<number> {
  // The pulumi calls start first, independent ones at once (each costs the CLI's start), and the checks' modules load while they run.
  const version = pulumiVersion(env);
  const stackRead = selectStack(stack, true, env).then(() => Promise.all([stackResources(stack, env), listConfig(stack, env)]));
  const { preflight, readStackConfig, stoppedByHand } = checkModules();
  const [versionText, [state, listing]] = await Promise.all([version, stackRead]);
  console.log(`container-labs: ${versionText}, state in ${path.relative(ROOT, env.PULUMI_BACKEND_URL?.replace(/^file:\/\//, "") ?? "") || env.PULUMI_BACKEND_URL}`);
  const config = readStackConfig(stack, listing, env);
  await preflight(stack, config, env, state);
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
  console.log(`\n${await labsOf(stack, env)}`);
  console.log(`\nSecrets passphrase: ${path.relative(ROOT, env.PULUMI_CONFIG_PASSPHRASE_FILE ?? PASSPHRASE_FILE)}. Remove it all with: ${npmRun("down", stack)}`);
  return 0;
}

/** The stack's `labs` output as a table and every line to try. */
async function labsOf(stack: string, env: NodeJS.ProcessEnv): Promise<string> {
  const labs = JSON.parse(await capturePulumi(["stack", "output", "labs", "--json", "--stack", stack], env)) as LabsOutput | null;
  if (!labs || Object.keys(labs).length === 0) return `The stack "${stack}" has no labs deployed: ${npmRun("up", stack)}`;
  return formatLabs(labs);
}

/** Whether the stack still runs containers: after `npm run down` its state keeps the last outputs, but nothing they point to. */
async function hasContainers(stack: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return stateContainers(await stackResources(stack, env)).length > 0;
}

async function labs({ stack }: Invocation, env: NodeJS.ProcessEnv): Promise<number> {
  await pulumiVersion(env);
  await selectStack(stack, false, env);
  console.log((await hasContainers(stack, env)) ? await labsOf(stack, env) : `The stack "${stack}" is down: nothing runs. Bring it up with: ${npmRun("up", stack)}`);
  return 0;
}

/** Prints the body alone on stdout: the curl line reads it from a pipe. */
async function notification({ stack }: Invocation, env: NodeJS.ProcessEnv): Promise<number> {
  const { assignmentsRequestSealedWith, valueOf } = require("./notification") as typeof import("./notification");
  const config = await checkModules().stackConfig(stack, env);
  console.log(JSON.stringify(assignmentsRequestSealedWith(await valueOf(config.labSettings.notifications.secretKey))));
  return 0;
}

async function down({ stack, purge, rest }: Invocation, env: NodeJS.ProcessEnv): Promise<number> {
  const { stackConfig, findLeftovers, describeLeftovers, describePurge, describeRemoteLeftovers, purgeEngine } = checkModules();
  await pulumiVersion(env);
  await selectStack(stack, false, env);
  // --purge works on this machine's engine: refused before anything is destroyed when the stack is elsewhere.
  if (purge) {
    const config = await stackConfig(stack, env);
    if (!config.local) {
      throw new UserError(`--purge removes what down leaves on this machine's engine, which only the local target uses; the stack "${stack}" is on the ${config.target} target. Run ${npmRun("down", stack)}; it says what stays there.`);
    }
  }
  // Protected resources (kleeweb's postgres_data, by default) stay, as the README says; retained volumes leave the state but stay in Docker.
  const status = await runPulumi(["destroy", "--yes", "--exclude-protected", "--stack", stack, ...rest], env, STACK_RM_HINT);
  if (status !== 0) return status;
  const config = await stackConfig(stack, env);
  const stillProtected = protectedVolumes(await stackResources(stack, env));
  if (!config.local) {
    console.log(`\n${describeRemoteLeftovers(config.target, stack, stillProtected)}`);
    return 0;
  }
  const leftovers = await findLeftovers(config.dockerHost, stack, stillProtected, config.local.dataDir);
  if (!purge) {
    console.log(`\n${describeLeftovers(leftovers, stack)}`);
    return 0;
  }
  console.log(`\n${describePurge(leftovers, stack)}`);
  if (leftovers.protectedVolumes.length > 0) {
    // Through Pulumi: the protected volumes and the components above them leave the state as they leave the engine.
    const unprotected = await runPulumi(["state", "unprotect", "--all", "--yes", "--stack", stack], env);
    if (unprotected !== 0) return unprotected;
    const destroyed = await runPulumi(["destroy", "--yes", "--stack", stack, ...rest], env, STACK_RM_HINT);
    if (destroyed !== 0) return destroyed;
  }
  const failures = await purgeEngine(config.dockerHost, leftovers);
  if (failures.length > 0) {
    console.error(`container-labs: not removed:\n  - ${failures.join("\n  - ")}`);
    return 1;
  }
  console.log(`Purged: nothing of the stack "${stack}" is left on the engine or in ${config.local.dataDir}.`);
  return 0;
}

/**
 * Before any `up`, no stack is selected: a Pulumi command that names none
 * then works on `local`, created if missing, as `npm run up` would choose it
 * (the README's `npm run pulumi -- config set ...` lines come before the first
 * `up`). `stack` commands choose their stack themselves.
 */
async function selectLocalWhenNoneIs(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (args[0] === "stack" || args.some((arg) => arg === "--stack" || arg === "-s" || arg.startsWith("--stack="))) return;
  await pulumiVersion(env);
  const stacks = JSON.parse(await capturePulumi(["stack", "ls", "--json"], env)) as Array<{ current?: boolean }>;
  if (!stacks.some((entry) => entry.current)) await selectStack(DEFAULT_STACK, true, env);
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
    case "notification":
      return notification(invocation, env);
    case "pulumi":
      await selectLocalWhenNoneIs(invocation.rest, env);
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
