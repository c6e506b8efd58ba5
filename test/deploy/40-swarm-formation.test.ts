/**
 * A swarm of machines formed by the program, for real: the `ci-swarm` stack
 * (test/deploy/swarmStack.ts), the ssh target given three stand-in machines,
 * deployed with `npm run up`. The program bootstraps each over SSH with its
 * pinned host key, gives each Docker's TLS, then forms the swarm: the first
 * inits it, the two others join as managers, each is labelled with its
 * number. Then: the tokens are only secrets in the state, a second `up`
 * changes nothing, the third machine taken out of the list is drained and
 * leaves, and `npm run down` leaves no swarm behind.
 */
import { labsOk, waitFor } from "@container-labs/test-kit";
import { recordTiming } from "./deployed";
import { prepareSwarmStack, SWARM_STACK, type SwarmMachine, type SwarmStack } from "./swarmStack";

let swarm: SwarmStack;
const seconds: Record<string, number> = {};

beforeAll(async () => {
  swarm = await prepareSwarmStack();
  seconds["first up"] = (await labsOk(swarm.stack, ["up", "--stack", SWARM_STACK])).seconds;
});

afterAll(async () => {
  if (!swarm) return;
  try {
    // Down again (a no-op after the last test's): whatever a failed test left deployed goes.
    await labsOk(swarm.stack, ["down", "--stack", SWARM_STACK]);
  } finally {
    await swarm.remove();
    const all = { ...swarm.seconds, ...seconds };
    for (const [step, value] of Object.entries(all)) recordTiming(`swarm formation: ${step}`, value);
    process.stderr.write(`\nswarm formation: ${JSON.stringify(all)}\n`);
  }
});

/** The swarm as its first manager lists it: each node's hostname, status, availability, manager status and number label. */
async function nodes(): Promise<string[]> {
  const [founder] = swarm.machines;
  const ids = (await founder.docker("node", "ls", "--quiet")).split("\n").filter(Boolean);
  const format = '{{.Description.Hostname}} {{.Status.State}} {{.Spec.Availability}} {{if .ManagerStatus}}{{if .ManagerStatus.Leader}}leader{{else}}{{.ManagerStatus.Reachability}}{{end}}{{else}}worker{{end}} {{index .Spec.Labels "container-labs.node"}}';
  return (await founder.docker("node", "inspect", "--format", format, ...ids)).split("\n").sort();
}

/** The stack's state as `pulumi stack export` prints it (the command's output also has what the wrapper says around it). */
async function exportedState(): Promise<{ text: string; resources: Array<{ urn: string; outputs?: Record<string, unknown> }> }> {
  const { output } = await labsOk(swarm.stack, ["pulumi", "stack", "export", "--stack", SWARM_STACK], { quiet: true });
  const text = output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1);
  return { text, resources: (JSON.parse(text) as { deployment: { resources?: Array<{ urn: string; outputs?: Record<string, unknown> }> } }).deployment.resources ?? [] };
}

/** What a machine's own engine says of its swarm membership. */
const swarmState = (machine: SwarmMachine) => machine.docker("info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}} {{.LiveRestoreEnabled}}");

it("forms one swarm of the three machines: each Ready and active, three managers, the first the leader, each labelled with its number", async () => {
  expect(await nodes()).toEqual(["cl-ci-swarm-1 ready active leader 1", "cl-ci-swarm-2 ready active reachable 2", "cl-ci-swarm-3 ready active reachable 3"]);
  // Each advertises its own address, with live-restore off (swarm mode refuses it).
  for (const machine of swarm.machines) expect(await swarmState(machine)).toBe(`active ${machine.address} false`);
});

it("keeps the join tokens in the state only as secrets: the stack's export holds neither in plain text", async () => {
  const [founder] = swarm.machines;
  const tokens = [await founder.docker("swarm", "join-token", "--quiet", "worker"), await founder.docker("swarm", "join-token", "--quiet", "manager")];
  for (const token of tokens) expect(token).toMatch(/^SWMTKN-1-/);
  const { text, resources } = await exportedState();
  for (const token of tokens) expect(text).not.toContain(token);
  // They are there, encrypted: the founder's outputs hold them as secrets.
  const founderState = resources.find((resource) => resource.urn.endsWith("SwarmNode::host-swarm-founder"))!;
  for (const key of ["workerToken", "managerToken", "privateKey"]) expect(founderState.outputs?.[key]).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.any(String) });
});

it("changes nothing at a second up: every resource unchanged, the same nodes", async () => {
  const before = await swarm.machines[0].docker("node", "ls", "--quiet");
  const again = await labsOk(swarm.stack, ["up", "--stack", SWARM_STACK]);
  seconds["no-op up"] = again.seconds;
  expect(again.output).toMatch(/\nResources:\n\s+\d+ unchanged\n/);
  expect(await swarm.machines[0].docker("node", "ls", "--quiet")).toBe(before);
});

it("drains the third machine taken out of the list, which leaves: two nodes, one manager, its tasks moved off it", async () => {
  const [founder, , third] = swarm.machines;
  // A task on every node (a global service), so that the drain has one to move off the third.
  const probe = await loadProbeImage(swarm.machines);
  await founder.docker("service", "create", "--quiet", "--detach", "--name", "probe", "--mode", "global", "--endpoint-mode", "dnsrr", "--no-resolve-image", probe, "/bin/sleep", "infinity");
  await waitFor("a probe task running on each node", async () => (await runningProbes()).length === 3, { timeoutMs: 60_000, intervalMs: 500 });

  await labsOk(swarm.stack, ["pulumi", "config", "rm", "--path", "sshSwarmHosts[1]", "--stack", SWARM_STACK], { quiet: true });
  const removed = await labsOk(swarm.stack, ["up", "--stack", SWARM_STACK]);
  seconds["up without the third machine"] = removed.seconds;

  expect(await nodes()).toEqual(["cl-ci-swarm-1 ready active leader 1", "cl-ci-swarm-2 ready active worker 2"]);
  expect(await swarmState(third)).toMatch(/^inactive /);
  expect(await third.docker("ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=probe")).toBe("");
  expect((await runningProbes()).sort()).toEqual(["cl-ci-swarm-1", "cl-ci-swarm-2"]);
  await founder.docker("service", "rm", "probe");
});

it("leaves no swarm at down: nothing in the stack, every machine out of the swarm", async () => {
  const down = await labsOk(swarm.stack, ["down", "--stack", SWARM_STACK]);
  seconds.down = down.seconds;
  expect((await exportedState()).resources).toEqual([]);
  for (const machine of swarm.machines) expect(await swarmState(machine)).toMatch(/^inactive /);
});

/** The hostname of each node that runs a probe task. */
async function runningProbes(): Promise<string[]> {
  const listed = await swarm.machines[0].docker("service", "ps", "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}", "probe");
  return listed.split("\n").filter((line) => / Running /.test(line)).map((line) => line.split(" ")[0]);
}

/**
 * The probe's image, imported on each machine from its own `sleep` and the
 * libraries it loads (a few MB, no registry): the same name on every node,
 * which a service started with --no-resolve-image runs as each node has it.
 * A node still tries to pull it first and runs its own when that fails: the
 * name's registry, a closed port of the node's loopback, fails at once.
 */
async function loadProbeImage(machines: SwarmMachine[]): Promise<string> {
  const image = "127.0.0.1:1/cl-swarm-probe:1";
  const script = [
    "set -eu",
    "root=$(mktemp -d)",
    'for file in /bin/sleep $(ldd /bin/sleep | grep -o "/[^ ]*"); do mkdir -p "$root$(dirname "$file")"; cp -L "$file" "$root$file"; done',
    `tar -C "$root" -c . | docker import - ${image} >/dev/null`,
    'rm -rf "$root"',
  ].join("\n");
  await Promise.all(machines.map((machine) => machine.exec(["sh", "-c", script])));
  return image;
}
