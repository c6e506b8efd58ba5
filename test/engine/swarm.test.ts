/**
 * A real Docker Swarm of three stand-in machines (the test kit's startSwarm),
 * proving what issue 24's swarm target builds on: the nodes and managers, an
 * attachable overlay network, `dnsrr` services spread over the nodes and a
 * global one, requests between tasks of different nodes over the overlay
 * (VXLAN between the machines), host-mode published ports, images pulled by
 * every node from the stand-in registry with the credential the manager hands
 * over, a worker's engine lost and back, and the leader's engine lost once
 * there are three managers.
 *
 * This machine's kernel has no IPVS (reference/real-engine.md): so no virtual
 * IPs and no routing mesh, every service here is `--endpoint-mode dnsrr` and
 * every published port is host-mode.
 *
 * In the unit project: no Pulumi, no ci stack; about three minutes. Needs root
 * and the engine with its stand-ins and fixtures: `scripts/test-engine.sh start
 * && scripts/standins/build.sh`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SWARM_NODE_LABEL,
  buildImage,
  docker,
  requireEngine,
  requireStandins,
  startRegistry,
  startSwarm,
  waitFor,
  type Engine,
  type Registry,
  type Swarm,
  type SwarmNode,
} from "@container-labs/test-kit";

const MINUTE = 60_000;
const NAME = `cl-swarm-test-${process.pid}`;
const NETWORK = "labnet";
/** The echo server's port in its task, and the port it is published on, host-mode, on each node. */
const PORT = 8080;
const PUBLISHED = 18080;

/**
 * The test image's two scripts: an HTTP server that says which node it runs
 * on (the service gives it `{{.Node.Hostname}}`) and which addresses the
 * connection has at both ends; and a client that asks each address given and
 * prints the answers as one JSON array.
 */
const SERVER = `
const http = require("node:http");
http.createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ node: process.env.NODE_NAME, client: req.socket.remoteAddress, server: req.socket.localAddress }));
}).listen(${PORT}, "0.0.0.0");
process.on("SIGTERM", () => process.exit(0));
`;
const CLIENT = `
Promise.all(process.argv.slice(2).map((address) =>
  fetch("http://" + address + ":${PORT}/", { signal: AbortSignal.timeout(5000) })
    .then((res) => res.json())
    .then((answer) => ({ address, answer }), (err) => ({ address, error: String(err.cause ?? err) })),
)).then((results) => console.log(JSON.stringify(results)));
`;

interface Answer {
  node: string;
  client: string;
  server: string;
}
interface Task {
  id: string;
  node: string;
  state: string;
  error: string;
}

let engine: Engine;
let registry: Registry;
let swarm: Swarm;
let dir: string;
/** The test image as pushed: `<registry>/swarm-test/echo:<pid>`, and its digest there. */
let image: string;
let digest: string;
const seconds: Record<string, number> = {};

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    seconds[what] = Math.round((Date.now() - started) / 100) / 10;
  }
}

const nodes = () => swarm.nodes;
const names = (list: SwarmNode[]) => list.map((node) => node.name).sort();

/** The tasks the swarm wants running for `service` (desired state running), as `manager` sees them. */
async function tasks(service: string, manager: SwarmNode = swarm.manager): Promise<Task[]> {
  const lines = await manager.exec(["docker", "service", "ps", "--no-trunc", "--filter", "desired-state=running", "--format", "{{.ID}}\t{{.Node}}\t{{.CurrentState}}\t{{.Error}}", service]);
  return lines.split("\n").filter(Boolean).map((line) => {
    const [id, node, state, error] = line.split("\t");
    return { id, node, state, error };
  });
}

/** Waits until `service` has `count` tasks Running, and resolves to them. */
async function running(service: string, count: number, manager: SwarmNode = swarm.manager, timeoutMs = 2 * MINUTE): Promise<Task[]> {
  let seen: Task[] = [];
  await waitFor(`${count} running tasks of ${service}`, async () => {
    seen = await tasks(service, manager);
    return seen.length === count && seen.every((task) => task.state.startsWith("Running"));
  }, { timeoutMs, intervalMs: 500 }).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(seen)}`);
  });
  return seen;
}

/** Each node's status and manager status, by hostname, as `manager` sees them. */
async function nodeList(manager: SwarmNode = swarm.manager): Promise<Record<string, string>> {
  const lines = await manager.exec(["docker", "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"]);
  return Object.fromEntries(lines.split("\n").map((line) => {
    const [hostname, ...rest] = line.split(" ");
    return [hostname, rest.join(" ").trim()];
  }));
}

async function waitForNodes(expected: Record<string, string>, manager: SwarmNode = swarm.manager, timeoutMs = 2 * MINUTE): Promise<void> {
  let seen: Record<string, string> = {};
  await waitFor(`nodes ${JSON.stringify(expected)}`, async () => {
    seen = await nodeList(manager);
    return JSON.stringify(seen, Object.keys(seen).sort()) === JSON.stringify(expected, Object.keys(expected).sort());
  }, { timeoutMs, intervalMs: 500 }).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(seen)}`);
  });
}

/** A task's address on the lab network, from the swarm's own records (not from DNS). */
async function overlayAddress(taskId: string): Promise<string> {
  const addresses = await swarm.manager.exec(["docker", "inspect", "--format", `{{range .NetworksAttachments}}{{if eq .Network.Spec.Name "${NETWORK}"}}{{range .Addresses}}{{.}}{{end}}{{end}}{{end}}`, taskId]);
  return addresses.split("/")[0];
}

/** The container of `service`'s task on `node`. */
const containerOf = async (node: SwarmNode, service: string) =>
  node.exec(["docker", "ps", "--quiet", "--filter", `label=com.docker.swarm.service.name=${service}`]);

/** The client run in `container` on `node` against `addresses`. */
async function ask(node: SwarmNode, container: string, addresses: string[]): Promise<Array<{ address: string; answer?: Answer; error?: string }>> {
  return JSON.parse(await node.exec(["docker", "exec", container, "node", "/app/client.js", ...addresses]));
}

/** Packets received by the VXLAN device of the lab network's namespace on `node`: what arrives there from other nodes. */
async function vxlanReceived(node: SwarmNode): Promise<number> {
  const id = (await node.exec(["docker", "network", "inspect", "--format", "{{.ID}}", NETWORK])).slice(0, 10);
  // The network's namespace, as libnetwork names it; sysfs would show the machine's own devices, netlink shows the namespace's.
  const links = JSON.parse(await node.exec(["nsenter", `--net=/var/run/docker/netns/1-${id}`, "ip", "-json", "-stats", "link", "show", "type", "vxlan"])) as Array<{ ifname: string; stats64: { rx: { packets: number } } }>;
  if (links.length !== 1) throw new Error(`${node.name}: ${links.length} VXLAN devices in the namespace of ${NETWORK}`);
  return links[0].stats64.rx.packets;
}

/** `docker service create` on the manager, detached, with the image pinned by the CLI through the registry. */
async function createService(name: string, args: string[], command: string[]): Promise<void> {
  await swarm.manager.exec([
    "docker", "service", "create", "--detach", "--quiet", "--with-registry-auth",
    "--name", name, "--network", NETWORK, "--endpoint-mode", "dnsrr",
    "--env", "NODE_NAME={{.Node.Hostname}}", "--stop-grace-period", "2s",
    ...args, image, ...command,
  ]);
}

beforeAll(async () => {
  engine = await requireEngine();
  const standins = await requireStandins(engine);
  dir = mkdtempSync(join(tmpdir(), "cl-swarm-test-"));
  registry = await timed("registry start", () => startRegistry(engine, { name: `${NAME}-registry` }));
  image = `${registry.address}/swarm-test/echo:${process.pid}`;
  const pushImage = timed("image build and push", async () => {
    writeFileSync(join(dir, "server.js"), SERVER);
    writeFileSync(join(dir, "client.js"), CLIENT);
    writeFileSync(join(dir, "Dockerfile"), `ARG NODE_IMAGE\nFROM \${NODE_IMAGE}\nCOPY server.js client.js /app/\nUSER node\nCMD ["node", "/app/server.js"]\n`);
    await buildImage(engine, { context: dir, dockerfile: join(dir, "Dockerfile"), buildArgs: { NODE_IMAGE: standins.node }, tag: image });
    const config = { ...engine, env: { ...engine.env, DOCKER_CONFIG: join(dir, "docker-config") } };
    await docker(config, ["login", "--username", registry.push.username, "--password-stdin", registry.address], { input: registry.push.password });
    const pushed = await docker(config, ["push", image]);
    digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1] ?? "";
    if (!digest) throw new Error(`no digest in the push's output: ${pushed}`);
  });
  // The image builds while the machines boot.
  // A 2 s heartbeat (Docker's is 5 s): a lost node is seen Down in about 6 s instead of 15, the same behaviour sooner.
  const starting = timed("swarm start", () => startSwarm(engine, { name: NAME, nodes: 3, managers: 1, registry, heartbeatSeconds: 2 }));
  const [started, pushed] = await Promise.allSettled([starting, pushImage]);
  // Kept even when the push failed, for afterAll to remove.
  if (started.status === "fulfilled") swarm = started.value;
  for (const result of [started, pushed]) if (result.status === "rejected") throw result.reason;
  Object.assign(seconds, Object.fromEntries(Object.entries(swarm.seconds).map(([step, value]) => [`swarm start: ${step}`, value])));
}, 10 * MINUTE);

afterAll(async () => {
  await swarm?.stop();
  await registry?.stop();
  if (image) await docker(engine, ["image", "rm", image]).catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`\nswarm, seconds per phase: ${JSON.stringify(seconds)}\n`);
}, 5 * MINUTE);

describe("a swarm of three stand-in machines", () => {
  it("has three nodes Ready and Active, the first the only manager (and leader), each advertising its bridge address and labelled with its number", async () => {
    expect(await nodeList()).toEqual({ [`${NAME}-1`]: "Ready Leader", [`${NAME}-2`]: "Ready", [`${NAME}-3`]: "Ready" });
    expect(await swarm.manager.exec(["docker", "node", "ls", "--format", "{{.Availability}}"])).toBe("Active\nActive\nActive");
    for (const node of nodes()) {
      const inspected = await swarm.manager.exec(["docker", "node", "inspect", "--format", `{{.Description.Hostname}} {{.Status.Addr}} {{index .Spec.Labels "${SWARM_NODE_LABEL}"}} {{.Spec.Role}}`, node.id]);
      expect(inspected).toBe(`${node.name} ${node.address} ${node.number} ${node.number === 1 ? "manager" : "worker"}`);
      // Each machine's own engine, on overlay2 (its data root is a volume), in the swarm.
      expect(await node.exec(["docker", "info", "--format", "{{.Driver}} {{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"])).toBe(`overlay2 active ${node.number === 1}`);
    }
  });

  it("runs services from the stand-in registry's image, pulled by every node, workers with only the credential the manager handed over", async () => {
    await timed("services running", async () => {
      await swarm.manager.exec(["docker", "network", "create", "--driver", "overlay", "--attachable", NETWORK]);
      await createService("echo", ["--replicas", "3", "--replicas-max-per-node", "1", "--publish", `mode=host,target=${PORT},published=${PUBLISHED}`], []);
      await createService("probe", ["--mode", "global"], []);
      await createService("spread", ["--replicas", "3", "--placement-pref", `spread=node.labels.${SWARM_NODE_LABEL}`], []);
      await Promise.all([running("echo", 3), running("probe", 3), running("spread", 3)]);
    });
    // The CLI resolved the tag through the registry and pinned the digest the push made.
    for (const service of ["echo", "probe", "spread"]) {
      expect(await swarm.manager.exec(["docker", "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", service])).toBe(`${image}@${digest}`);
    }
    const repository = image.slice(0, image.lastIndexOf(":"));
    for (const node of nodes()) {
      // Pulled from the registry (the digest is its record of the pull), not loaded.
      expect(await node.exec(["docker", "image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", `${image}@${digest}`])).toBe(`${repository}@${digest}`);
      const credentials = await node.exec(["sh", "-c", "test -e /root/.docker/config.json && echo logged-in || echo no-credentials"]);
      expect({ node: node.name, credentials }).toEqual({ node: node.name, credentials: node.manager ? "logged-in" : "no-credentials" });
    }
  }, 5 * MINUTE);

  it("spreads the 3 replicas one per node and the global service on every node, and the overlay's DNS gives each dnsrr service its tasks' addresses", async () => {
    expect(names(nodes())).toEqual((await tasks("echo")).map((task) => task.node).sort());
    expect(names(nodes())).toEqual((await tasks("spread")).map((task) => task.node).sort());
    expect(names(nodes())).toEqual((await tasks("probe")).map((task) => task.node).sort());
    expect(await swarm.manager.exec(["docker", "service", "inspect", "--format", "{{.Spec.EndpointSpec.Mode}} {{.Endpoint.VirtualIPs}}", "echo"])).toBe("dnsrr []");
    const echo = (await Promise.all((await tasks("echo")).map((task) => overlayAddress(task.id)))).sort();
    for (const node of nodes()) {
      const container = await containerOf(node, "probe");
      const resolved = await node.exec(["docker", "exec", container, "getent", "ahostsv4", "echo"]);
      expect([...new Set(resolved.split("\n").map((line) => line.split(/\s+/)[0]))].sort()).toEqual(echo);
    }
  });

  it("carries requests between nodes over the overlay: from the global task on each node, every echo task answers at its overlay address and sees the caller's", async () => {
    await timed("data plane", async () => {
      const echo = await Promise.all((await tasks("echo")).map(async (task) => ({ node: task.node, address: await overlayAddress(task.id) })));
      const probes = Object.fromEntries(await Promise.all((await tasks("probe")).map(async (task) => [task.node, await overlayAddress(task.id)] as const)));
      const receivedBefore = await Promise.all(nodes().map(vxlanReceived));
      let crossings = 0;
      for (const node of nodes()) {
        const results = await ask(node, await containerOf(node, "probe"), echo.map((target) => target.address));
        expect(results).toEqual(echo.map((target) => ({ address: target.address, answer: { node: target.node, client: probes[node.name], server: target.address } })));
        crossings += echo.filter((target) => target.node !== node.name).length;
      }
      expect(crossings).toBe(6);
      // Each node's VXLAN device received packets during the requests: the overlay, not the bridge, carried them.
      const receivedAfter = await Promise.all(nodes().map(vxlanReceived));
      receivedAfter.forEach((after, i) => expect({ node: nodes()[i].name, more: after > receivedBefore[i] }).toEqual({ node: nodes()[i].name, more: true }));
    });
  });

  it("lets a standalone container join the attachable network on a worker and reach the tasks of every node", async () => {
    const echo = await Promise.all((await tasks("echo")).map(async (task) => ({ node: task.node, address: await overlayAddress(task.id) })));
    const worker = nodes()[2];
    const said = await worker.exec(["docker", "run", "--rm", "--network", NETWORK, `${image}@${digest}`, "node", "/app/client.js", ...echo.map((target) => target.address)]);
    expect((JSON.parse(said) as Array<{ answer?: Answer }>).map((result) => result.answer?.node).sort()).toEqual(echo.map((target) => target.node).sort());
  });

  it("answers on each node's address at the host-mode published port, from that node's task", async () => {
    expect(await swarm.manager.exec(["docker", "service", "inspect", "--format", "{{range .Endpoint.Ports}}{{.PublishMode}} {{.PublishedPort}}->{{.TargetPort}}{{end}}", "echo"])).toBe(`host ${PUBLISHED}->${PORT}`);
    for (const node of nodes()) {
      const res = await fetch(`http://${node.address}:${PUBLISHED}/`, { signal: AbortSignal.timeout(5000) });
      expect(((await res.json()) as Answer).node).toBe(node.name);
    }
  });
});

describe("a node lost", () => {
  it("a worker's engine stopped: the manager marks it Down and reschedules its spread task on the other nodes; the host-port task cannot move", async () => {
    const worker = nodes()[2];
    const [first, second] = nodes();
    await timed("worker lost: engine stopped", () => swarm.stopNode(2));
    await timed("worker lost: Down", () => waitForNodes({ [first.name]: "Ready Leader", [second.name]: "Ready", [worker.name]: "Down" }));
    const spread = await timed("worker lost: rescheduled", () => running("spread", 3));
    // The two tasks that were there stay; the lost one's replacement goes to one of them.
    expect([...new Set(spread.map((task) => task.node))].sort()).toEqual([first.name, second.name]);
    // One replica per node and a host port: nowhere to go until the node returns.
    const echo = await tasks("echo");
    expect(echo.filter((task) => task.state.startsWith("Running")).map((task) => task.node).sort()).toEqual([first.name, second.name]);
    expect(echo.filter((task) => !task.state.startsWith("Running"))).toEqual([expect.objectContaining({ node: "", state: expect.stringMatching(/^Pending/), error: expect.stringMatching(/no suitable node/) })]);
    // Service discovery follows: tasks.spread gives exactly the running tasks, and each answers from the remaining nodes.
    const addresses = (await Promise.all(spread.map((task) => overlayAddress(task.id)))).sort();
    const results = await ask(first, await containerOf(first, "probe"), addresses);
    expect(results.map((result) => result.answer?.node).sort()).toEqual(spread.map((task) => task.node).sort());
    const resolved = await first.exec(["docker", "exec", await containerOf(first, "probe"), "getent", "ahostsv4", "tasks.spread"]);
    expect([...new Set(resolved.split("\n").map((line) => line.split(/\s+/)[0]))].sort()).toEqual(addresses);
  }, 5 * MINUTE);

  it("the worker's engine back: Ready again, its global and host-port tasks return, and a rebalance puts a spread task on it again", async () => {
    const worker = nodes()[2];
    await timed("worker back: Ready", async () => {
      await swarm.startNode(2);
      await waitForNodes({ [nodes()[0].name]: "Ready Leader", [nodes()[1].name]: "Ready", [worker.name]: "Ready" });
    });
    await timed("worker back: tasks", async () => {
      expect((await running("echo", 3)).map((task) => task.node).sort()).toEqual(names(nodes()));
      expect((await running("probe", 3)).map((task) => task.node).sort()).toEqual(names(nodes()));
    });
    // The scheduler does not move running tasks by itself: the spread service stays 2 + 1 until an update.
    expect((await tasks("spread")).some((task) => task.node === worker.name)).toBe(false);
    await timed("rebalance", async () => {
      await swarm.manager.exec(["docker", "service", "update", "--detach", "--quiet", "--force", "--update-parallelism", "0", "spread"]);
      await waitFor("spread one task per node", async () => {
        const now = await tasks("spread");
        return now.length === 3 && now.every((task) => task.state.startsWith("Running")) && JSON.stringify(now.map((task) => task.node).sort()) === JSON.stringify(names(nodes()));
      }, { timeoutMs: 2 * MINUTE, intervalMs: 500 });
    });
  }, 5 * MINUTE);

  it("three managers: the leader's engine stopped, the other two elect a leader and a service update succeeds; the old leader comes back as a manager", async () => {
    const [first, second, third] = nodes();
    await timed("promotion to three managers", async () => {
      // Waits until each new manager's raft follows the leader: losing the leader before that loses the quorum.
      await swarm.promote(1, 2);
      expect(await nodeList()).toEqual({ [first.name]: "Ready Leader", [second.name]: "Ready Reachable", [third.name]: "Ready Reachable" });
    });
    await timed("leader lost: engine stopped", () => swarm.stopNode(0));
    let leader = "";
    await timed("leader lost: new leader", () =>
      waitFor("a new leader", async () => {
        const seen = await nodeList(second);
        leader = Object.keys(seen).find((name) => seen[name].endsWith("Leader")) ?? "";
        return leader !== "" && leader !== first.name;
      }, { timeoutMs: 2 * MINUTE, intervalMs: 500 }),
    );
    expect([second.name, third.name]).toContain(leader);
    // The update goes in at once, while the old leader is still only Unknown to the new one.
    await timed("leader lost: service update", async () => {
      await second.exec(["docker", "service", "update", "--detach", "--quiet", "--env-add", "UPDATED=after-the-leader", "--update-parallelism", "0", "spread"]);
      await waitFor("spread updated, on the two remaining nodes", async () => {
        const now = await tasks("spread", second);
        if (now.length !== 3 || !now.every((task) => task.state.startsWith("Running") && task.node !== first.name)) return false;
        const envs = await Promise.all(now.map((task) => second.exec(["docker", "inspect", "--format", "{{json .Spec.ContainerSpec.Env}}", task.id])));
        if (!envs.every((env) => (JSON.parse(env) as string[]).includes("UPDATED=after-the-leader"))) return false;
        return (await second.exec(["docker", "service", "inspect", "--format", "{{.UpdateStatus.State}}", "spread"])) === "completed";
      }, { timeoutMs: 3 * MINUTE, intervalMs: 1000 });
    });
    const seen = await nodeList(third);
    expect(seen).toEqual({ [first.name]: "Down Unreachable", [second.name]: expect.stringMatching(/^Ready (Leader|Reachable)$/), [third.name]: expect.stringMatching(/^Ready (Leader|Reachable)$/) });
    await timed("leader back: Reachable", async () => {
      await swarm.startNode(0);
      await waitFor("the old leader back as a manager", async () => {
        const seen = await nodeList(second);
        return seen[first.name] === "Ready Reachable" && Object.values(seen).filter((state) => state === "Ready Leader").length === 1 && Object.values(seen).every((state) => state.startsWith("Ready"));
      }, { timeoutMs: 2 * MINUTE, intervalMs: 500 });
    });
  }, 10 * MINUTE);
});
