/**
 * The floor of `npm run bench deploy`: what the same Pulumi CLI and the same
 * kind of state backend (a file backend) take for as many resources as the ci
 * stack holds, all of one cheap kind (bench/floor: a plain JavaScript program
 * of ECDSA keys of the tls provider, which the toolchain builds anyway). Its
 * no-op `up` is what a no-op `up` of the labs is held against.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FLOOR_PROGRAM = join(__dirname, "floor");
const STACK = "floor";
/** Besides its keys, the floor's state holds its Stack and the tls provider. */
const RESOURCES_BESIDE_THE_KEYS = 2;

export interface FloorTimes {
  keys: number;
  firstUpSeconds: number;
  noOpUpSeconds: number;
}

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Deploys the floor with `resources` resources in its state, in a state
 * directory of its own, times a first and a no-op `up`, then destroys it and
 * removes that directory and its stack file; its output goes to stderr, as
 * the ci stack's does. `env`: the toolchain's (the CLI and the tls plugin on PATH).
 */
export function floorUps(resources: number, env: NodeJS.ProcessEnv): FloorTimes {
  const state = mkdtempSync(join(tmpdir(), "container-labs-floor-"));
  const floorEnv: NodeJS.ProcessEnv = { ...env, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "the floor keeps no secret", PULUMI_SKIP_UPDATE_CHECK: "true" };
  delete floorEnv.PULUMI_CONFIG_PASSPHRASE_FILE;
  const pulumi = (...args: string[]) => execFileSync("pulumi", [...args, "--stack", STACK, "--non-interactive"], { cwd: FLOOR_PROGRAM, env: floorEnv, stdio: ["ignore", 2, 2] });
  const keys = resources - RESOURCES_BESIDE_THE_KEYS;
  try {
    execFileSync("pulumi", ["stack", "init", STACK, "--non-interactive"], { cwd: FLOOR_PROGRAM, env: floorEnv, stdio: ["ignore", 2, 2] });
    pulumi("config", "set", "resources", String(keys));
    const firstUpSeconds = timed(() => pulumi("up", "--yes"));
    const noOpUpSeconds = timed(() => pulumi("up", "--yes", "--expect-no-changes"));
    pulumi("destroy", "--yes");
    return { keys, firstUpSeconds, noOpUpSeconds };
  } finally {
    rmSync(state, { recursive: true, force: true });
    // Its config and encryption salt, git-ignored: each run starts a stack of its own.
    rmSync(join(FLOOR_PROGRAM, `Pulumi.${STACK}.yaml`), { force: true });
  }
}
