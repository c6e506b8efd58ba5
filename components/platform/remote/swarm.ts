import * as pulumi from "@pulumi/pulumi";
import type { SwarmShape } from "../host";
import type { SshConnectionArgs, SshEndpoint } from "./remoteCommand";
import { SWARM_NODE_LABEL, SwarmNode, type SwarmRole } from "./swarmNode";

export { SWARM_NODE_LABEL } from "./swarmNode";

export type SwarmEndpointMode = SwarmShape["endpointMode"];
/** swarmEndpointMode's values: vip, Docker's default, needs IPVS in the host's kernel; dnsrr does not. */
export const SWARM_ENDPOINT_MODES = ["vip", "dnsrr"] as const satisfies readonly SwarmEndpointMode[];

/** How many managers a swarm of `hosts` machines has: one, or three from three machines on (a raft quorum that survives losing one). */
export function managerCount(hosts: number): 1 | 3 {
  return hosts >= 3 ? 3 : 1;
}

/** The role of each machine of a swarm, in order: the first ones managers (managerCount), the others workers. */
export function swarmRoles(hosts: number): SwarmRole[] {
  return Array.from({ length: hosts }, (_, index) => (index < managerCount(hosts) ? "manager" : "worker"));
}

/** A machine of the swarm, ready for it: Docker installed and listening. */
export interface SwarmMachine {
  /** What names its swarm resource: stable while the machine stays in the list (its address as configured), whatever its position. */
  key: string;
  connection: SshConnectionArgs;
  /** The address it advertises to the others. */
  address: pulumi.Input<string>;
  /** Done once its Docker is ready (its TLS installed). */
  ready: pulumi.Resource;
}

export interface SwarmArgs {
  /** The first machine: it inits the swarm, stays a manager, and is node 1, the stateful node. */
  founder: Omit<SwarmMachine, "key">;
  /** The others, in order: they join it (numbered from 2). */
  members: SwarmMachine[];
  endpointMode: SwarmEndpointMode;
}

/**
 * A Docker Swarm of the remote host's machines, formed over SSH: the founder
 * inits it, the others join one after the other (raft adds one member at a
 * time) as managers or workers (swarmRoles), and each node is labelled with
 * its number (SWARM_NODE_LABEL). The founder is the stateful node: the
 * Docker provider talks to it, so the volumes it makes are where the
 * services pinned to node 1 run. A machine removed from the list drains and
 * leaves before its resource is gone (swarmNode.ts).
 */
export class Swarm extends pulumi.ComponentResource implements SwarmShape {
  readonly endpointMode: SwarmEndpointMode;
  readonly statefulNode = { label: SWARM_NODE_LABEL, value: "1" };
  /** The swarm itself: depending on it waits for every node (its children) to have joined, been placed and labelled. */
  readonly ready: pulumi.Resource = this;
  /** The founder's join tokens (secrets). */
  readonly tokens: { worker: pulumi.Output<string>; manager: pulumi.Output<string> };

  constructor(name: string, args: SwarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Swarm", name, {}, opts);
    this.endpointMode = args.endpointMode;
    const roles = swarmRoles(1 + args.members.length);
    const privateKey = args.founder.connection.privateKey;
    const manager = endpoint(args.founder.connection);
    const founder = new SwarmNode(
      `${name}-founder`,
      { node: manager, manager, privateKey, address: args.founder.address, role: roles[0], number: 1 },
      { parent: this, dependsOn: [args.founder.ready] },
    );
    this.tokens = { worker: founder.workerToken, manager: founder.managerToken };
    let previous: pulumi.Resource = founder;
    args.members.forEach((member, index) => {
      const role = roles[index + 1];
      previous = new SwarmNode(
        `${name}-${member.key}`,
        {
          node: endpoint(member.connection),
          manager,
          privateKey,
          address: member.address,
          join: pulumi.output({ manager: args.founder.address, token: role === "manager" ? founder.managerToken : founder.workerToken }),
          role,
          number: index + 2,
        },
        { parent: this, dependsOn: [member.ready, previous] },
      );
    });
    this.registerOutputs({ endpointMode: this.endpointMode, statefulNode: this.statefulNode });
  }
}

/** A connection without its login key, which the swarm's nodes take apart, as a secret. */
function endpoint(connection: SshConnectionArgs): pulumi.Output<SshEndpoint> {
  const { privateKey: _key, ...rest } = connection;
  return pulumi.output(rest);
}
