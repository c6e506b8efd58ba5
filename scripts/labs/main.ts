/**
 * `npm run up [-- --stack <name>] [pulumi up options]`: checks everything it
 * can before anything is created, selects or creates the stack in this
 * checkout's own state backend, runs `pulumi up`, and prints where to go.
 * `npm run down [-- --stack <name>]`: destroys it, keeping what the README
 * says is kept (retained and protected data volumes).
 * `npm run pulumi -- <args>`: any other pulumi command on this checkout's
 * state (e.g. `npm run pulumi -- config set dockercoinsWorkers 4`).
 */
import * as path from "node:path";
import { formatLabs, type LabsOutput } from "./labsTable";
import { preflight } from "./preflight";
import { capturePulumi, PASSPHRASE_FILE, pulumiEnvironment, pulumiVersion, ROOT, runPulumi, selectStack, UserError } from "./pulumi";

const USAGE = [
  "usage: npm run up [-- [--stack <name>] [pulumi up options]]",
  "       npm run down [-- [--stack <name>]]",
  "       npm run pulumi -- <pulumi command and options>",
].join("\n");

interface Invocation {
  command: "up" | "down" | "pulumi";
  stack: string;
  /** Passed on to pulumi. */
  rest: string[];
}

function parse(argv: string[]): Invocation {
  const [command, ...args] = argv;
  if (command === "pulumi") return { command, stack: "", rest: args };
  if (command !== "up" && command !== "down") throw new UserError(USAGE);
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
  await preflight(stack, env);
  const status = await runPulumi(["up", "--yes", "--stack", stack, ...rest], env);
  if (status !== 0) return status;
  const labs = JSON.parse(capturePulumi(["stack", "output", "labs", "--json", "--stack", stack], env)) as LabsOutput;
  console.log(`\n${formatLabs(labs)}`);
  console.log(`\nSecrets passphrase: ${path.relative(ROOT, env.PULUMI_CONFIG_PASSPHRASE_FILE ?? PASSPHRASE_FILE)}. Remove it all with: npm run down${stack === "local" ? "" : ` -- --stack ${stack}`}`);
  return 0;
}

async function down({ stack, rest }: Invocation, env: NodeJS.ProcessEnv): Promise<number> {
  pulumiVersion(env);
  selectStack(stack, false, env);
  // Protected resources (kleeweb's postgres_data, by default) stay, as the README says; retained volumes leave the state but stay in Docker.
  const status = await runPulumi(["destroy", "--yes", "--exclude-protected", "--stack", stack, ...rest], env);
  if (status === 0) {
    console.log("\nKept on purpose: data volumes labelled container-labs.data=true (`docker volume ls --filter label=container-labs.data=true`); remove one with `docker volume rm <name>`, after `pulumi config set kleewebProtectDatabase false && npm run up` for a protected one.");
  }
  return status;
}

async function main(): Promise<number> {
  const invocation = parse(process.argv.slice(2));
  const env = pulumiEnvironment();
  switch (invocation.command) {
    case "up":
      return up(invocation, env);
    case "down":
      return down(invocation, env);
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
