/**
 * A Docker Swarm of stand-in machines (machine.ts) on the private engine's
 * default bridge: what a swarm of hosts is to the remote targets. Each node is
 * a machine with its own dockerd (Debian's docker.io 20.10, turned on here
 * with systemctl; the ec2 target's cloud-config is not used), reached from
 * this host at its bridge address. The first node initialises the swarm, the
 * others join it with the manager token (managers: 3) or the worker token;
 * each node carries the label `container-labs.node=<its number, from 1>`.
 *
 * No data disk: a swarm node needs none (the machine's /var/lib/docker is a
 * volume of the private engine, so its dockerd stores images with overlay2).
 *
 * This machine's kernel has no IPVS (reference/real-engine.md): no virtual
 * IP and no ingress routing mesh, so services here need `--endpoint-mode
 * dnsrr` and host-mode published ports. Needs root (the machines' cgroups).
 */
import { docker, requireFixture, type Engine } from "./engine";
import { removeMachine, startMachine, type Machine } from "./machine";
import { ENGINE_CERTS_DIR, type RegistryAccount } from "./registry";
import { waitFor } from "./wait";

/** The label each node carries, with its number (1 for the first node). */
export const SWARM_NODE_LABEL = "container-labs.node";

/** The swarm's cluster port (manager API and raft), as `swarm init` and `join` take it. */
export const SWARM_PORT = 2377;

export interface SwarmOptions {
  /** Prefix of every name: the machines are `<name>-1` ... `<name>-N` (their hostnames, so the swarm's node names). */
  name: string;
  /** How many machines; 3 by default. */
  nodes?: number;
  /** Managers among them, the first nodes: 1 (the others are workers) or 3 (a raft quorum survives one loss). 1 by default. */
  managers?: 1 | 3;
  /**
   * A registry every node trusts (its CA at /etc/docker/certs.d/<address>/ca.crt
   * on each machine); with a `pull` account, every manager is logged in with it,
   * so that `docker service create --with-registry-auth` there hands the
   * credential to the nodes that pull.
   */
  registry?: { address: string; caPem: string; pull?: RegistryAccount };
  /**
   * How often each node reports to the managers (`swarm init --dispatcher-heartbeat`), in seconds: a
   * node is marked Down after about three missed, and a new leader waits about as long on the nodes
   * it has not heard from. Docker's default, 5, when not given.
   */
  heartbeatSeconds?: number;
  /** The machine image; the machine fixture (fixtures.json) by default. */
  image?: string;
  /** Where progress lines go; stderr by default. */
  progress?: (line: string) => void;
}

export interface SwarmNode {
  /** The machine's name, hostname and swarm node name. */
  name: string;
  /** Its number: the value of its SWARM_NODE_LABEL, 1 for the first node. */
  number: number;
  /** Its address on the private engine's default bridge: where it advertises itself, and where this host reaches its published ports. */
  address: string;
  /** The swarm's node ID. */
  id: string;
  /** Whether it is a manager (joined as one, or promoted by `promote`). */
  manager: boolean;
  /** Runs a command on the machine as root (its `docker` is that node's engine), `input` on its stdin; resolves to its stdout. */
  exec(command: string[], input?: string): Promise<string>;
  machine: Machine;
}

export interface Swarm {
  nodes: SwarmNode[];
  /** The first node, the swarm's first manager (leader at the start). */
  manager: SwarmNode;
  /** Seconds per step of the start (machines booted, engines ready, swarm formed, total). */
  seconds: Record<string, number>;
  /**
   * Promotes nodes[index] (each index given) to managers from the first node,
   * and waits until each is Reachable and its raft follows the leader: only
   * then can the swarm lose one manager of three and keep its quorum.
   */
  promote(...indexes: number[]): Promise<void>;
  /** Stops the engine of nodes[index] (systemctl stop docker.service docker.socket): its containers stop, the machine stays up. */
  stopNode(index: number): Promise<void>;
  /** Starts the engine of nodes[index] again and waits until it answers and is back in the swarm (its own view: active). */
  startNode(index: number): Promise<void>;
  /** Removes every machine, with its Docker volume and seed. */
  stop(): Promise<void>;
}

const elapsed = (since: number) => Math.round((Date.now() - since) / 100) / 10;

/**
 * Whether the raft of a manager's current engine has a leader: etcd's raft
 * logs `elected leader <id> at term <n>` when the node first hears from (or
 * becomes) the leader. `docker node ls` says Reachable earlier (measured here:
 * up to a second before), and losing the leader in that gap lost the quorum:
 * the new member had no log yet and could not vote it back.
 */
async function followsLeader(exec: SwarmNode["exec"]): Promise<boolean> {
  const script = 'journalctl --unit docker.service --output cat _PID="$(systemctl show --property MainPID --value docker.service)" | grep -q "elected leader"';
  return exec(["sh", "-c", `${script} && echo yes || echo no`]).then((said) => said === "yes");
}

/** `docker info` of a node's engine answers, with the given swarm state when asked. */
async function engineAnswers(exec: SwarmNode["exec"], state?: string): Promise<boolean> {
  const local = await exec(["docker", "info", "--format", "{{.Swarm.LocalNodeState}}"]);
  return state === undefined || local === state;
}

/**
 * Boots the machines, turns Docker on in each, installs the registry's CA,
 * forms the swarm, labels the nodes and waits until the first manager sees
 * every node Ready. On any failure, removes what it started.
 */
export async function startSwarm(engine: Engine, options: SwarmOptions): Promise<Swarm> {
  const count = options.nodes ?? 3;
  const managerCount = options.managers ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`a swarm needs at least one node (nodes: ${count})`);
  if (managerCount > count) throw new Error(`${managerCount} managers need at least ${managerCount} nodes (nodes: ${count})`);
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const image = options.image ?? (await requireFixture(engine, "machine"));
  const names = Array.from({ length: count }, (_, i) => `${options.name}-${i + 1}`);
  const started = Date.now();
  const seconds: Record<string, number> = {};
  const say = (line: string) => progress(`swarm ${options.name}: ${line} (${elapsed(started)} s)`);
  const stop = async () => {
    await Promise.all(names.map((name) => removeMachine(engine, name)));
  };

  const waitForRaft = (managers: SwarmNode[]) =>
    Promise.all(managers.map((node) => waitFor(`the raft of ${node.name} to follow a leader`, () => followsLeader(node.exec), { timeoutMs: 120_000, intervalMs: 250 })));

  try {
    await stop();
    say(`booting ${count} machines from ${image}`);
    const machines = await Promise.all(
      names.map((name) =>
        startMachine(engine, {
          image,
          name,
          // A seed cloud-init accepts and that asks nothing of it: the machine's name and ID.
          seed: { userData: "#cloud-config\n{}\n", metaData: `instance-id: i-${name}\nlocal-hostname: ${name}\n` },
          publish: {},
        }),
      ),
    );
    const nodes: SwarmNode[] = await Promise.all(
      machines.map(async (machine, i) => {
        const name = names[i];
        const exec: SwarmNode["exec"] = (command, input) =>
          docker(engine, ["exec", ...(input === undefined ? [] : ["--interactive"]), name, ...command], input === undefined ? {} : { input });
        const address = await docker(engine, ["inspect", "--format", "{{.NetworkSettings.Networks.bridge.IPAddress}}", name]);
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`${name} has no address on the default bridge (inspect said "${address}")`);
        return { name, number: i + 1, address, id: "", manager: i < managerCount, exec, machine };
      }),
    );

    await Promise.all(
      nodes.map(async (node) => {
        const state = await node.machine.booted(5 * 60_000);
        if (state !== "running") say(`${node.name} booted ${state}: ${await node.exec(["systemctl", "--failed", "--no-legend"]).catch(() => "?")}`);
      }),
    );
    seconds["machines booted"] = elapsed(started);
    say("machines booted; turning Docker on");

    const dockerSince = Date.now();
    await Promise.all(
      nodes.map(async (node) => {
        if (options.registry) {
          const dir = `${ENGINE_CERTS_DIR}/${options.registry.address}`;
          await node.exec(["sh", "-c", 'mkdir -p "$1" && cat > "$1/ca.crt"', "sh", dir], options.registry.caPem);
        }
        await node.exec(["systemctl", "enable", "--now", "--quiet", "containerd.service", "docker.socket", "docker.service"]);
        await waitFor(`the engine of ${node.name}`, () => engineAnswers(node.exec), { timeoutMs: 120_000, intervalMs: 250 });
      }),
    );
    seconds["engines ready"] = elapsed(dockerSince);
    say("engines ready; forming the swarm");

    const swarmSince = Date.now();
    const [first, ...others] = nodes;
    const heartbeat = options.heartbeatSeconds === undefined ? [] : ["--dispatcher-heartbeat", `${options.heartbeatSeconds}s`];
    await first.exec(["docker", "swarm", "init", "--advertise-addr", first.address, "--listen-addr", `${first.address}:${SWARM_PORT}`, ...heartbeat]);
    const tokens = {
      manager: await first.exec(["docker", "swarm", "join-token", "--quiet", "manager"]),
      worker: await first.exec(["docker", "swarm", "join-token", "--quiet", "worker"]),
    };
    // One at a time: raft adds one member per configuration change.
    for (const node of others) {
      await node.exec([
        "docker", "swarm", "join",
        "--token", node.manager ? tokens.manager : tokens.worker,
        "--advertise-addr", node.address,
        "--listen-addr", `${node.address}:${SWARM_PORT}`,
        `${first.address}:${SWARM_PORT}`,
      ]);
    }
    for (const node of nodes) {
      node.id = await node.exec(["docker", "info", "--format", "{{.Swarm.NodeID}}"]);
      await first.exec(["docker", "node", "update", "--label-add", `${SWARM_NODE_LABEL}=${node.number}`, node.id]);
    }
    // A manager counts once raft has it (Reachable): losing another before that can cost the quorum.
    await waitFor(`every node of ${options.name} Ready, ${managerCount} manager(s) Leader or Reachable`, async () => {
      const seen = new Map(
        (await first.exec(["docker", "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"])).split("\n").map((line) => {
          const [hostname, status, manager = ""] = line.split(" ");
          return [hostname, { status, manager }];
        }),
      );
      return nodes.every((node) => {
        const state = seen.get(node.name);
        return state?.status === "Ready" && (node.manager ? ["Leader", "Reachable"].includes(state.manager) : state.manager === "");
      });
    }, { timeoutMs: 120_000, intervalMs: 250 });
    await waitForRaft(nodes.filter((node) => node.manager));
    if (options.registry?.pull) {
      const { address, pull } = options.registry;
      for (const node of nodes.filter((n) => n.manager)) {
        await node.exec(["docker", "login", "--username", pull.username, "--password-stdin", address], pull.password);
      }
    }
    seconds["swarm formed"] = elapsed(swarmSince);
    seconds.total = elapsed(started);
    say(`${count} nodes Ready, ${managerCount} manager(s): ${JSON.stringify(seconds)}`);

    const node = (index: number) => {
      const found = nodes[index];
      if (!found) throw new Error(`no node ${index} in ${options.name} (it has ${count}, from 0)`);
      return found;
    };
    return {
      nodes,
      manager: first,
      seconds,
      promote: async (...indexes) => {
        const promoted = indexes.map(node);
        await first.exec(["docker", "node", "promote", ...promoted.map((n) => n.id)]);
        for (const n of promoted) n.manager = true;
        await waitFor(`${promoted.map((n) => n.name).join(", ")} Reachable`, async () => {
          const seen = await first.exec(["docker", "node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}"]);
          return promoted.every((n) => new RegExp(`^${n.name} (Leader|Reachable)$`, "m").test(seen));
        }, { timeoutMs: 120_000, intervalMs: 250 });
        await waitForRaft(promoted);
      },
      stopNode: async (index) => {
        // The socket too: with it listening, the next `docker` on the machine would start the engine again.
        await node(index).exec(["systemctl", "stop", "docker.socket", "docker.service"]);
      },
      startNode: async (index) => {
        const target = node(index);
        await target.exec(["systemctl", "start", "docker.socket", "docker.service"]);
        await waitFor(`the engine of ${target.name} back in the swarm`, () => engineAnswers(target.exec, "active"), { timeoutMs: 120_000, intervalMs: 250 });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
