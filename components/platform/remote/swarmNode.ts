/**
 * One machine's membership of a Docker Swarm, kept by a dynamic provider of
 * ours that runs its steps over SSH with the pinned host keys (as
 * RemoteCommand does): on the machine itself, and on the founding manager,
 * where nodes are labelled, promoted, drained and removed.
 *
 * - create: the founder inits the swarm, the others join it with the token
 *   of their role; each is then given its role and its number label, and is
 *   waited for until Ready (and Reachable, a manager). A machine already in
 *   the swarm is not joined again.
 * - update: a new role or number (the list of machines changed) is a `docker
 *   node update`, not a new membership.
 * - delete: a member is drained, waited for until its tasks are gone,
 *   demoted if a manager, leaves, and is removed from the node list; the
 *   founder, the last one, leaves the swarm it made.
 *
 * The join tokens are secret outputs of the founder; the login key is kept
 * as a secret output too, because delete needs it and gets only the state.
 * Pulumi serializes the provider's functions into the plugin process that
 * runs them: they share nothing with this module but what they are given.
 */
import * as pulumi from "@pulumi/pulumi";
import { shellQuote } from "../shell";
import { runOverSsh, type SshEndpoint } from "./remoteCommand";

export type SwarmRole = "manager" | "worker";

/** The label each node carries, with its number (1 for the founder): the test kit's SWARM_NODE_LABEL. */
export const SWARM_NODE_LABEL = "container-labs.node";

/** The swarm's cluster port (manager API and raft), where members join. */
export const SWARM_PORT = 2377;

/** How long a step waits for the swarm (a node Ready, its tasks gone), in seconds. */
const SWARM_WAIT_SECONDS = 120;

export interface SwarmNodeInputs {
  /** The machine's own SSH endpoint. */
  node: SshEndpoint;
  /** The founding manager's, where nodes are placed and removed (the founder's own on the founder). */
  manager: SshEndpoint;
  /** The login key of both sessions: a secret, in the state as one (delete needs it). */
  privateKey: string;
  /** The address the node advertises to its peers: an IPv4 address, or a name the machine resolves to one. */
  address: string;
  /** Where a member joins, and with which token (a secret); unset on the founder, which inits the swarm. */
  join?: { manager: string; token: string };
  role: SwarmRole;
  /** Its SWARM_NODE_LABEL's value. */
  number: number;
}

/** What the state keeps: the inputs but the token, the node's ID, and on the founder the join tokens. */
interface State extends Omit<SwarmNodeInputs, "join"> {
  /** The manager a member joined; "" on the founder. */
  joined: string;
  nodeId: string;
  workerToken?: string;
  managerToken?: string;
}

const on = (endpoint: SshEndpoint, privateKey: string, create: string, stdin?: string) => runOverSsh({ connection: endpoint, privateKey, create, stdin });

/** `name=value` lines of a step's output, as an object. */
function reported(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.split("\n").filter((line) => line.includes("=")).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]));
}

/**
 * The subnet of each node's docker_gwbridge, the bridge its swarm containers
 * reach the world through. Left to Docker, a fresh machine's takes the first
 * free range of Docker's pool after docker0's, 172.18.0.0/16: the course's
 * kleeweb network (kleewebSubnet's default), and an overlay network cannot
 * overlap a bridge of a node ("Pool overlaps with other one on this address
 * space"). This one is the pool's range left to last but one (the last,
 * 172.31.0.0/16, is AWS's default VPC).
 */
export const GATEWAY_BRIDGE_SUBNET = "172.30.0.0/16";

/**
 * The script's start: strict, with the node's advertised IPv4 address in
 * $addr (a name is resolved by the machine), and docker_gwbridge made in
 * GATEWAY_BRIDGE_SUBNET before the machine is in a swarm, as Docker's
 * documentation makes it (its options are those Docker gives its own).
 */
function withAddress(address: string): string {
  const quoted = shellQuote(address);
  return [
    "set -eu",
    `addr="$(getent ahostsv4 ${quoted} | awk 'NR == 1 { print $1 }')"`,
    `[ -n "$addr" ] || { echo "swarm: "${quoted}" resolves to no IPv4 address on $(hostname)" >&2; exit 1; }`,
    "active() { [ \"$(docker info --format '{{.Swarm.LocalNodeState}}')\" = active ]; }",
    "docker network inspect docker_gwbridge >/dev/null 2>&1 || docker network create --subnet " + GATEWAY_BRIDGE_SUBNET +
      " --opt com.docker.network.bridge.name=docker_gwbridge --opt com.docker.network.bridge.enable_icc=false" +
      " --opt com.docker.network.bridge.enable_ip_masquerade=true docker_gwbridge >&2",
  ].join("\n");
}

/** On the founder: the swarm, made unless the machine is in one, and its ID and join tokens. */
function initScript(address: string): string {
  return [
    withAddress(address),
    'active || docker swarm init --advertise-addr "$addr" >&2',
    "echo \"nodeId=$(docker info --format '{{.Swarm.NodeID}}')\"",
    'echo "workerToken=$(docker swarm join-token --quiet worker)"',
    'echo "managerToken=$(docker swarm join-token --quiet manager)"',
  ].join("\n");
}

/** On a member: joined with the token on stdin unless the machine is in a swarm already, and its ID. */
function joinScript(address: string, manager: string): string {
  return [
    withAddress(address),
    `active || docker swarm join --token "$(cat)" --advertise-addr "$addr" ${shellQuote(`${manager}:${SWARM_PORT}`)} >&2`,
    "echo \"nodeId=$(docker info --format '{{.Swarm.NodeID}}')\"",
  ].join("\n");
}

/** On the manager: the node's role and number label, then waits until it is Ready (and Reachable, a manager). */
function placeScript(nodeId: string, role: SwarmRole, number: number): string {
  const expected = role === "manager" ? "ready/reachable" : "ready/";
  return [
    "set -eu",
    `docker node update --role ${role} --label-add '${SWARM_NODE_LABEL}=${number}' ${nodeId} >&2`,
    `for _ in $(seq 1 ${SWARM_WAIT_SECONDS}); do`,
    `  seen="$(docker node inspect --format '{{.Status.State}}/{{if .ManagerStatus}}{{.ManagerStatus.Reachability}}{{end}}' ${nodeId})"`,
    `  [ "$seen" = ${expected} ] && exit 0`,
    "  sleep 1",
    "done",
    `echo "swarm: node ${nodeId} is $seen, not ${expected}, ${SWARM_WAIT_SECONDS} s after it was placed" >&2`,
    "exit 1",
  ].join("\n");
}

/** On the manager, the first step of a member's removal: drained (and demoted, a manager); prints gone=1 when the swarm has no such node. */
function drainScript(nodeId: string): string {
  return [
    "set -eu",
    `docker node inspect ${nodeId} >/dev/null 2>&1 || { echo gone=1; exit 0; }`,
    `docker node update --availability drain ${nodeId} >&2`,
    `[ "$(docker node inspect --format '{{.Spec.Role}}' ${nodeId})" != manager ] || docker node demote ${nodeId} >&2`,
  ].join("\n");
}

/** On the member: waits until its tasks are gone, then leaves (a demoted manager once raft has let it go). */
function leaveScript(): string {
  const tasks = "docker ps --quiet --filter label=com.docker.swarm.task.id";
  return [
    "set -eu",
    `for _ in $(seq 1 ${SWARM_WAIT_SECONDS}); do [ -z "$(${tasks})" ] && break; sleep 1; done`,
    `[ -z "$(${tasks})" ] || { echo "swarm: tasks still run on $(hostname) ${SWARM_WAIT_SECONDS} s after it was drained: $(docker ps --format '{{.Names}}' --filter label=com.docker.swarm.task.id | tr '\\n' ' ')" >&2; exit 1; }`,
    `for _ in $(seq 1 30); do [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = inactive ] && exit 0; docker swarm leave >&2 || sleep 1; done`,
    'echo "swarm: $(hostname) could not leave the swarm" >&2',
    "exit 1",
  ].join("\n");
}

/** On the manager: removes the node once it shows Down (it left). */
function removeScript(nodeId: string): string {
  return [
    "set -eu",
    `for _ in $(seq 1 60); do docker node rm ${nodeId} >/dev/null 2>&1 && exit 0; sleep 1; done`,
    `docker node rm ${nodeId}`,
  ].join("\n");
}

/** Exported for its tests. */
export const swarmNodeProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: State, news: SwarmNodeInputs) {
    const where = (endpoint: SshEndpoint) => JSON.stringify([endpoint.host, endpoint.port, endpoint.user, endpoint.hostKey]);
    const replaces: string[] = [];
    // Another machine (a new host key), another swarm: a new membership. A new token alone (rotated) is not.
    if (where(olds.node) !== where(news.node)) replaces.push("node");
    if (where(olds.manager) !== where(news.manager)) replaces.push("manager");
    if (olds.address !== news.address) replaces.push("address");
    if (olds.joined !== (news.join?.manager ?? "")) replaces.push("join");
    const changes = replaces.length > 0 || olds.role !== news.role || olds.number !== news.number || olds.privateKey !== news.privateKey;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs: SwarmNodeInputs) {
    const { node, manager, privateKey, address, join, role, number } = inputs;
    const made = reported(join
      ? (await on(node, privateKey, joinScript(address, join.manager), join.token)).stdout
      : (await on(node, privateKey, initScript(address))).stdout);
    if (!/^[a-z0-9]+$/.test(made.nodeId ?? "")) throw new Error(`swarm: ${node.host} reported no node ID`);
    await on(manager, privateKey, placeScript(made.nodeId, role, number));
    const outs: State = { node, manager, privateKey, address, role, number, joined: join?.manager ?? "", nodeId: made.nodeId };
    if (!join) {
      outs.workerToken = made.workerToken;
      outs.managerToken = made.managerToken;
    }
    return { id: made.nodeId, outs };
  },

  async update(_id: string, olds: State, news: SwarmNodeInputs) {
    if (olds.role !== news.role || olds.number !== news.number) await on(news.manager, news.privateKey, placeScript(olds.nodeId, news.role, news.number));
    return { outs: { ...olds, privateKey: news.privateKey, role: news.role, number: news.number } };
  },

  async delete(_id: string, state: State) {
    const { node, manager, privateKey, nodeId } = state;
    if (state.joined === "") {
      await on(node, privateKey, "[ \"$(docker info --format '{{.Swarm.LocalNodeState}}')\" = inactive ] || docker swarm leave --force");
      return;
    }
    if (reported((await on(manager, privateKey, drainScript(nodeId))).stdout).gone) return;
    await on(node, privateKey, leaveScript());
    await on(manager, privateKey, removeScript(nodeId));
  },
};

/** One machine of a swarm; on the founder, the join tokens (secrets). */
export class SwarmNode extends pulumi.dynamic.Resource {
  declare readonly nodeId: pulumi.Output<string>;
  /** The founder's: members join with them. */
  declare readonly workerToken: pulumi.Output<string>;
  declare readonly managerToken: pulumi.Output<string>;

  constructor(name: string, args: { [K in keyof SwarmNodeInputs]: pulumi.Input<SwarmNodeInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
    const inputs = {
      ...args,
      privateKey: pulumi.secret(args.privateKey),
      join: args.join && pulumi.secret(args.join),
      joined: undefined,
      nodeId: undefined,
      workerToken: undefined,
      managerToken: undefined,
    };
    super(swarmNodeProvider, name, inputs, { ...opts, additionalSecretOutputs: ["privateKey", "workerToken", "managerToken"] }, "container-labs", "SwarmNode");
  }
}
