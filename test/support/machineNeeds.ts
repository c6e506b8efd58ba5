/**
 * Suites that need something of the machine which not every machine gives
 * (user namespaces; root and loop devices). They run everywhere by default and
 * FAIL where the machine refuses, naming the variable that would skip them: CI
 * must never turn a refusal into a quiet skip. Only that variable, set to 1 by
 * someone who knows the machine cannot, skips them.
 */
import { spawnSync } from "node:child_process";

export interface MachineNeed {
  /** What the suite needs, as it reads after "these tests need": "root and loop devices". */
  what: string;
  /** The variable saying plainly that this machine cannot: CONTAINER_LABS_NO_<...>=1. */
  skipVariable: string;
  /** The commands that show the machine can; each must exit 0. */
  probes: string[][];
}

/** The first probe the machine refuses, with what it printed; undefined when every probe passes. */
function refusal(probes: string[][]): string | undefined {
  for (const [command, ...args] of probes) {
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.error) return `\`${[command, ...args].join(" ")}\` could not run: ${result.error.message}`;
    if (result.status !== 0) return `\`${[command, ...args].join(" ")}\` exited ${result.status}: ${`${result.stdout}${result.stderr}`.trim()}`;
  }
  return undefined;
}

/** A describe block that fails where the machine refuses `need`, and is skipped only when its variable is 1. */
export function describeNeeding(need: MachineNeed, name: string, body: () => void): void {
  if (process.env[need.skipVariable] === "1") {
    describe.skip(`${name} (skipped: ${need.skipVariable}=1 says this machine has no ${need.what})`, body);
    return;
  }
  describe(name, () => {
    // Registered before the body's own hooks, so it runs first and every test of the block reports this error.
    beforeAll(() => {
      const refused = refusal(need.probes);
      if (refused) {
        throw new Error(
          `these tests need ${need.what}, and this machine refused: ${refused}. ` +
            `Only on a machine that cannot give them, set ${need.skipVariable}=1 to skip them (README, "Tests"); never in CI.`,
        );
      }
    });
    body();
  });
}
