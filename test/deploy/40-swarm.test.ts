/**
 * A swarm of machines formed by the program, every lab on it, for real: the
 * `ci-swarm` stack (test/deploy/swarmStack.ts), the ssh target given three
 * stand-in machines, deployed with `npm run up`. The program bootstraps each
 * over SSH with its pinned host key, gives each Docker's TLS, forms the
 * swarm (the first inits it, the two others join as managers, each labelled
 * with its number), and runs every lab as swarm services on one overlay
 * network per lab, each image pulled by every node from the stand-in
 * registry. Then: the tokens are only secrets in the state, a second `up`
 * changes nothing, each lab works as on the other stacks, DockerCoins spreads
 * as the lesson says, scaling is an update, a machine lost and back is taken
 * in stride, the third machine taken out of the list is drained and leaves,
 * and `npm run down` leaves no swarm behind.
 *
 * The kernel here has no IPVS, so the stack sets dnsrr: a published port is
 * open on the node that runs the task (README, "A swarm of hosts").
 */
import { labsOk, labsOutput, sleep, waitFor } from "@container-labs/test-kit";
import { eventually, http, kleeJob, recordTiming, runKleeJob, type KleeJob, type Labs } from "./deployed";
import { hashes, readSong, storeSong, tcpAnswer, upload, type StoredSong } from "./labUse";
import { prepareSwarmStack, SWARM_STACK, type SwarmMachine, type SwarmStack } from "./swarmStack";

const HOSTNAMES = ["cl-ci-swarm-1", "cl-ci-swarm-2", "cl-ci-swarm-3"];
/** The lesson's replica counts, as the stack file sets them (rng is global: one per node). */
const LESSON = { rng: 3, hasher: 3, worker: 6 };

let swarm: SwarmStack;
let labs: Labs;
const seconds: Record<string, number> = {};

beforeAll(async () => {
  swarm = await prepareSwarmStack();
  seconds["first up"] = (await labsOk(swarm.stack, ["up", "--stack", SWARM_STACK])).seconds;
  labs = await labsOutput(swarm.stack, SWARM_STACK);
});

afterAll(async () => {
  if (!swarm) return;
  try {
    // Down again (a no-op after the last test's): whatever a failed test left deployed goes.
    await labsOk(swarm.stack, ["down", "--stack", SWARM_STACK]);
  } finally {
    await swarm.remove();
    const all = { ...swarm.seconds, ...seconds };
    for (const [step, value] of Object.entries(all)) recordTiming(`swarm: ${step}`, value);
    process.stderr.write(`\nswarm: ${JSON.stringify(all)}\n`);
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

/** The tasks the swarm wants running for `service`: each one's ID, its node ("" while none is assigned) and its state's first word (Running, Pending...). */
async function tasks(service: string): Promise<Array<{ id: string; node: string; state: string }>> {
  const listed = await swarm.machines[0].docker("service", "ps", "--filter", "desired-state=running", "--format", "{{.ID}}\t{{.CurrentState}}\t{{.Node}}", service);
  return listed.split("\n").filter(Boolean).map((line) => {
    const [id, state, node = ""] = line.split("\t");
    return { id, node, state: state.split(" ")[0] };
  });
}

/** The nodes of the running tasks of `service`, sorted (one entry per task). */
const runningOn = async (service: string): Promise<string[]> => (await tasks(service)).filter((task) => task.state === "Running").map((task) => task.node).sort();

/** The container of `service`'s task on `machine`, by ID. */
const containerOf = async (machine: SwarmMachine, service: string): Promise<string> =>
  (await machine.docker("ps", "--quiet", "--filter", `label=com.docker.swarm.service.name=${service}`)).split("\n")[0];

describe("every lab as swarm services", () => {
  it("runs each lab's services under the names of its containers, on one attachable overlay network per lab", async () => {
    const [founder] = swarm.machines;
    const ids = (await founder.docker("service", "ls", "--quiet")).split("\n");
    const services = (await founder.docker("service", "inspect", "--format", '{{.Spec.Name}} {{index .Spec.Labels "container-labs.lab"}}', ...ids)).split("\n");
    const labsRunning = new Set(services.map((line) => line.split(" ")[1]));
    // The labs', and the platform's own DynamoDB Local.
    expect([...labsRunning].sort()).toEqual([...Object.keys(labs), "platform"].sort());
    expect(services.map((line) => line.split(" ")[0])).toEqual(expect.arrayContaining(["webstack-app", "webstack-db", "kleeweb-worker", "cmpt756-s1", "notifications-service", "dockercoins-worker"]));
    const overlays = (await founder.docker("network", "ls", "--filter", "driver=overlay", "--format", "{{.Name}}")).split("\n");
    expect(overlays).toEqual(expect.arrayContaining(["dockercoins", "kleeweb_network", "webstack", "notifications", "cmpt756"]));
  });

  it("ran the notifications latency probe on the lab's network from the first machine: its file holds the 3 latencies of the stack output", async () => {
    const { latencies, latencyFile } = labs.notifications.details as { latencies: number[]; latencyFile: string };
    expect(latencies).toHaveLength(3);
    const lines = (await swarm.machines[0].exec(["cat", latencyFile])).split("\n").filter(Boolean).map(Number);
    expect(lines.slice(-3)).toEqual(latencies);
  });

  it("gives PostgreSQL its password as a swarm secret, a file the stand-in reads, never in the environment", async () => {
    const env = await swarm.machines[0].docker("service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}} {{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.File.Name}}{{end}}", "webstack-db");
    expect(env).toContain('"POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password"');
    expect(env).not.toMatch(/"POSTGRES_PASSWORD=/);
    expect(env).toMatch(/ \/run\/secrets\/postgres_password$/);
  });

  it("answers a line on docker-basics' TCP server at the first machine's address, where its one task runs", async () => {
    const [founder] = swarm.machines;
    expect(labs["docker-basics"].urls.tcpServer).toBe(`tcp://${founder.address}:3001`);
    const serverHost = await founder.docker("inspect", "--format", "{{.Config.Hostname}}", await containerOf(founder, "docker-basics-tcp-server"));
    expect(await tcpAnswer(labs, "hi from the swarm test")).toBe(`hello from ${serverHost}, you said: hi from the swarm test`);
  });
});

/** What was stored before a machine is lost, looked for again after. */
const kept: { song?: StoredSong; upload?: string; job?: { id: string; finished: KleeJob } } = {};

describe("each lab's work, stored on the first machine", () => {
  it("keeps cmpt756's users and songs in DynamoDB Local", async () => {
    kept.song = await storeSong(labs);
    expect(await readSong(labs, kept.song)).toMatchObject({ login: 200, song: { Items: [{ Artist: "The Beatles", SongTitle: "Yesterday" }] } });
  });

  it("stores a webstack upload in its volume on the first machine, and serves it back", async () => {
    const name = `swarm-${Date.now()}.txt`;
    kept.upload = await upload(labs, name, "on the stateful node\n");
    expect((await http(kept.upload)).text).toBe("on the stateful node\n");
    expect(await swarm.machines[0].exec(["find", "/var/lib/docker/volumes", "-name", name])).toMatch(/^\/var\/lib\/docker\/volumes\/.+\/_data\//);
  });

  it("runs a KLEE job submitted through kleeweb's site, in a job container the worker's own engine starts from the klee image", async () => {
    const [founder] = swarm.machines;
    const job = await runKleeJob(labs.kleeweb.urls.site, (...args) => founder.docker(...args));
    expect(job.finished.status).toBe("succeeded");
    expect(job.jobImages).toEqual([swarm.standins.klee]);
    kept.job = job;
  });
});

/** rng's count of calls served, read at its host-mode port on `machine` (one rng per node: the service is global). */
async function rngServed(machine: SwarmMachine): Promise<number> {
  const metrics = (await http(`http://${machine.address}:8001/metrics`)).text;
  const value = /^rng_served_total (\d+)/m.exec(metrics)?.[1];
  if (value === undefined) throw new Error(`no rng_served_total in rng's metrics on ${machine.address}`);
  return Number(value);
}

describe("DockerCoins as the lesson runs it", () => {
  it("runs 3 rng (one on every node), 3 hashers and 6 workers, and every node runs tasks", async () => {
    const placed = { rng: await runningOn("dockercoins-rng"), hasher: await runningOn("dockercoins-hasher"), worker: await runningOn("dockercoins-worker") };
    expect({ rng: placed.rng.length, hasher: placed.hasher.length, worker: placed.worker.length }).toEqual(LESSON);
    expect(placed.rng).toEqual(HOSTNAMES);
    expect([...new Set([...placed.hasher, ...placed.worker])].sort()).toEqual(HOSTNAMES);
  });

  it("spreads the workers' calls over every rng: each serves at least 20% of them", async () => {
    const before = await Promise.all(swarm.machines.map(rngServed));
    await sleep(15_000);
    const served = (await Promise.all(swarm.machines.map(rngServed))).map((count, index) => count - before[index]);
    const total = served.reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThan(0);
    for (const count of served) expect(count / total).toBeGreaterThanOrEqual(0.2);
    seconds["rng calls per node in 15 s"] = total;
  });

  it("mines: the webui's counter rises", async () => {
    const before = await hashes(labs);
    await eventually("more hashes", async () => ((await hashes(labs)) > before + 10 ? true : undefined), 60_000);
  });

  it("scales the workers from 6 to 12 with docker service scale: the same service, its six tasks still running, six more", async () => {
    const [founder] = swarm.machines;
    const before = await founder.docker("service", "inspect", "--format", "{{.ID}}", "dockercoins-worker");
    const tasksBefore = (await tasks("dockercoins-worker")).map((task) => task.id);
    await labsOk(swarm.stack, ["pulumi", "config", "set", "dockercoinsWorkers", "12", "--stack", SWARM_STACK], { quiet: true });
    const preview = await labsOk(swarm.stack, ["pulumi", "preview", "--diff", "--stack", SWARM_STACK, "--non-interactive"], { quiet: true });
    // One change: the scale command runs again with the new count; the service itself is not touched.
    expect(preview.output).toMatch(/\nResources:\n\s+\+-1 to replace\n\s+\d+ unchanged\n/);
    expect(preview.output).toMatch(/\[urn=\S+::dockercoins-worker-replicas\]/);
    expect(preview.output).not.toMatch(/\[urn=\S+::dockercoins-worker\]/);
    seconds["scale up"] = (await labsOk(swarm.stack, ["up", "--stack", SWARM_STACK])).seconds;
    expect(await founder.docker("service", "inspect", "--format", "{{.ID}} {{.Spec.Mode.Replicated.Replicas}}", "dockercoins-worker")).toBe(`${before} 12`);
    await waitFor("12 running workers", async () => (await runningOn("dockercoins-worker")).length === 12, { timeoutMs: 120_000, intervalMs: 1000 });
    // The six tasks that ran before still run: six were added, none restarted.
    expect((await tasks("dockercoins-worker")).map((task) => task.id)).toEqual(expect.arrayContaining(tasksBefore));
  });
});

/**
 * The third machine's engine stopped, as a machine lost: it is a manager too,
 * so this is also the loss of one manager of three. The first machine holds
 * the stateful services and the address the URLs name.
 */
describe("a machine lost, and back", () => {
  let hashesBefore: number;

  it("keeps working without it: the swarm still answers, its workers run on the two others, mining goes on", async () => {
    const [founder, , third] = swarm.machines;
    hashesBefore = await hashes(labs);
    await third.exec(["systemctl", "stop", "docker.socket", "docker.service"]);
    await waitFor("the third node down", async () => (await nodes()).includes("cl-ci-swarm-3 down active unreachable 3"), { timeoutMs: 120_000, intervalMs: 1000 });
    // Two managers of three are a quorum: the swarm accepts changes, and reschedules the lost node's tasks.
    await waitFor("12 workers running on the two others", async () => {
      const workers = await runningOn("dockercoins-worker");
      return workers.length === 12 && !workers.includes("cl-ci-swarm-3");
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    expect(await runningOn("dockercoins-rng")).toEqual(["cl-ci-swarm-1", "cl-ci-swarm-2"]);
    // A host-mode port is taken once per node: the third hasher waits for a node where 8002 is free.
    expect((await tasks("dockercoins-hasher")).map((task) => task.state).sort()).toEqual(["Pending", "Running", "Running"]);
    const now = await hashes(labs);
    expect(now).toBeGreaterThanOrEqual(hashesBefore);
    await eventually("mining without the third machine", async () => ((await hashes(labs)) > now + 10 ? true : undefined), 90_000);
    expect(await founder.docker("node", "ls", "--format", "{{.Hostname}}")).toContain("cl-ci-swarm-3");
  });

  it("lost no acknowledged data: the song, the upload and the KLEE job read back once the lost tasks run again", async () => {
    // A lab whose web tier ran on the lost machine answers again once the swarm has started it on another.
    expect(await eventually("the song", async () => {
      const read = await readSong(labs, kept.song!);
      return read.login === 200 ? read : undefined;
    }, 120_000)).toMatchObject({ song: { Items: [{ Artist: "The Beatles", SongTitle: "Yesterday" }] } });
    expect((await http(kept.upload!)).text).toBe("on the stateful node\n");
    expect(await eventually("the KLEE job", () => kleeJob(labs.kleeweb.urls.site, kept.job!.id), 120_000)).toEqual(kept.job!.finished);
  });

  it("uses it again once back: its rng and the waiting hasher at once, workers after a rebalance", async () => {
    const [founder, , third] = swarm.machines;
    await third.exec(["systemctl", "start", "docker.service"]);
    await waitFor("the third node ready", async () => (await nodes()).includes("cl-ci-swarm-3 ready active reachable 3"), { timeoutMs: 120_000, intervalMs: 1000 });
    await waitFor("rng and the third hasher on it", async () => (await runningOn("dockercoins-rng")).length === 3 && (await runningOn("dockercoins-hasher")).length === 3, { timeoutMs: 120_000, intervalMs: 1000 });
    expect(await runningOn("dockercoins-rng")).toEqual(HOSTNAMES);
    // Docker's rebalance: the service's tasks are replaced one by one, and the scheduler spreads them again.
    await founder.docker("service", "update", "--force", "--detach", "dockercoins-worker");
    await waitFor("workers on the third machine", async () => (await runningOn("dockercoins-worker")).includes("cl-ci-swarm-3"), { timeoutMs: 180_000, intervalMs: 1000 });
  });
});

it("drains the third machine taken out of the list, which leaves: two nodes, one manager, its tasks moved off it", async () => {
  const [, , third] = swarm.machines;
  expect(await containerOf(third, "dockercoins-rng")).not.toBe("");

  await labsOk(swarm.stack, ["pulumi", "config", "rm", "--path", "sshSwarmHosts[1]", "--stack", SWARM_STACK], { quiet: true });
  const removed = await labsOk(swarm.stack, ["up", "--stack", SWARM_STACK]);
  seconds["up without the third machine"] = removed.seconds;

  expect(await nodes()).toEqual(["cl-ci-swarm-1 ready active leader 1", "cl-ci-swarm-2 ready active worker 2"]);
  expect(await swarmState(third)).toMatch(/^inactive /);
  expect(await third.docker("ps", "--quiet", "--filter", "label=com.docker.swarm.service.name")).toBe("");
  expect(await runningOn("dockercoins-rng")).toEqual(["cl-ci-swarm-1", "cl-ci-swarm-2"]);
});

it("leaves no swarm at down: every machine out of the swarm, and only the protected database volume in the stack, as down says", async () => {
  const down = await labsOk(swarm.stack, ["down", "--stack", SWARM_STACK]);
  seconds.down = down.seconds;
  // kleeweb's database volume is protected by default (kleewebProtectDatabase): it stays, with the host its provider needs.
  expect(down.output).toMatch(/protected, still in the stack: postgres_data \(remove: /);
  const left = (await exportedState()).resources.map((resource) => resource.urn.split("::").at(-1));
  expect(left).toContain("kleeweb-postgres-data-volume");
  for (const gone of ["host-swarm-founder", "dockercoins-worker", "kleeweb-network-network"]) expect(left).not.toContain(gone);
  for (const machine of swarm.machines) expect(await swarmState(machine)).toMatch(/^inactive /);
});
