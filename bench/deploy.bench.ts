/**
 * deploy: the program's main job on the private engine, timed: a first `up`
 * of the ci stack (fresh state and engine objects; the stand-ins, the Pulumi
 * toolchain and the engine's build cache already there), a no-op `up`, and an
 * `up` after a one-line edit of one service. Then `npm run down`.
 * Needs what the test command sets up: scripts/test-engine.sh start,
 * scripts/standins/build.sh, scripts/pulumi-toolchain.sh. Takes several minutes.
 */
import { CI_STACK, freshUp, labsOk, prepareCiStack, up, withOneLineEdit } from "@container-labs/test-kit";
import { printTable } from "./harness";

/** Issue 13's targets on a 2-core machine. */
const TARGETS = { noOp: 60, oneServiceEdit: 120 };

export async function run(): Promise<void> {
  const first = await freshUp();
  const stack = await prepareCiStack();
  const noOp = await up(stack, "--expect-no-changes");
  const edited = await withOneLineEdit(() => up(stack));
  await up(stack); // the edit undone
  await labsOk(stack, ["down", "--stack", CI_STACK]);
  printTable("`npm run up -- --stack ci` on the private engine, seconds", [
    { run: "first up (every lab, 18 images)", seconds: first.seconds.toFixed(0), target: "-" },
    { run: "no-op up", seconds: noOp.seconds.toFixed(0), target: `< ${TARGETS.noOp}` },
    { run: "up after a one-line edit of one service", seconds: edited.seconds.toFixed(0), target: `< ${TARGETS.oneServiceEdit}` },
  ]);
}
