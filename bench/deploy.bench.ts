/**
 * deploy: the program's main job on the private engine, timed: a first `up`
 * of the ci stack (fresh state and engine objects; the stand-ins, the Pulumi
 * toolchain and the engine's build cache already there), a no-op `up`, and an
 * `up` after a one-line edit of one service. Then `npm run down`.
 *
 * In the same run, what they are held against (issue 25): the floor
 * (bench/deployFloor.ts: the same CLI and kind of backend, as many resources,
 * all cheap), and the work the edit cannot avoid (bench/deployParts.ts: that
 * service's own build and its containers' start). The ratios are the
 * figures to compare across machines; the seconds are this machine's.
 *
 * Needs what the test command sets up: scripts/test-engine.sh start,
 * scripts/standins/build.sh, scripts/pulumi-toolchain.sh. Takes several minutes.
 */
import { CI_STACK, freshUp, labsOk, localCaBundle, ONE_LINE_EDIT, prepareCiStack, up, withOneLineEdit } from "@container-labs/test-kit";
import { containersStartSeconds, OWN_BUILD_EDIT, ownBuildSeconds, stateResources } from "./deployParts";
import { floorUps, type FloorTimes } from "./deployFloor";
import { printTable } from "./harness";

/** Issue 25's targets: a no-op `up` within this many floors. */
const NO_OP_FLOORS = 2;

export async function run(): Promise<void> {
  const stack = await prepareCiStack();
  try {
    const first = await freshUp();
    const resources = await stateResources(stack, CI_STACK);
    const floor = floorUps(resources.length, stack.env);
    const noOp = await up(stack, "--expect-no-changes");
    const edited = await withOneLineEdit(() => up(stack));
    const build = await withOneLineEdit(() => ownBuildSeconds(stack, resources, ONE_LINE_EDIT.service, localCaBundle()), OWN_BUILD_EDIT);
    const start = await containersStartSeconds(stack, ONE_LINE_EDIT.service);
    await up(stack); // the edit undone
    printUps({ resources: resources.length, floor, first: first.seconds, noOp: noOp.seconds, edited: edited.seconds, build, start });
  } finally {
    await labsOk(stack, ["down", "--stack", CI_STACK]);
  }
}

interface Ups {
  resources: number;
  floor: FloorTimes;
  first: number;
  noOp: number;
  edited: number;
  build: number;
  start: { containers: string[]; seconds: number };
}

function printUps({ resources, floor, first, noOp, edited, build, start }: Ups): void {
  const floors = (seconds: number) => (seconds / floor.noOpUpSeconds).toFixed(2);
  const editBound = noOp + build + start.seconds;
  const met = (seconds: number, bound: number) => (seconds <= bound ? "met" : "NOT met");
  printTable(`\`npm run up -- --stack ci\` on the private engine (${resources} resources), against the floor's no-op \`up\``, [
    { run: `floor: first up (${floor.keys} tls keys, plain JavaScript)`, seconds: floor.firstUpSeconds.toFixed(1), floors: floors(floor.firstUpSeconds), target: "-", met: "" },
    { run: "floor: no-op up", seconds: floor.noOpUpSeconds.toFixed(1), floors: "1.00", target: "-", met: "" },
    { run: "first up (every lab: 18 images and the workspace image)", seconds: first.toFixed(1), floors: floors(first), target: "-", met: "" },
    { run: "no-op up", seconds: noOp.toFixed(1), floors: floors(noOp), target: `<= ${NO_OP_FLOORS} floors`, met: met(noOp, NO_OP_FLOORS * floor.noOpUpSeconds) },
    { run: `${ONE_LINE_EDIT.service}: its own docker build`, seconds: build.toFixed(1), floors: floors(build), target: "-", met: "" },
    { run: `${ONE_LINE_EDIT.service}: its ${start.containers.length} containers' start`, seconds: start.seconds.toFixed(1), floors: floors(start.seconds), target: "-", met: "" },
    { run: `up after a one-line edit of ${ONE_LINE_EDIT.service}`, seconds: edited.toFixed(1), floors: floors(edited), target: `<= no-op + build + start = ${editBound.toFixed(1)} s`, met: met(edited, editBound) },
  ]);
}
