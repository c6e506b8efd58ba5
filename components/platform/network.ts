import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { onMachine } from "./onMachine";
import { ownerLabels } from "./labels";

export interface NetworkArgs {
  lab: string;
  /** The Docker network's name, as the course names it (e.g. t3n, kleeweb_network). */
  networkName: string;
  /** A fixed IPv4 subnet and gateway; unset lets Docker choose. */
  ipam?: { subnet: pulumi.Input<string>; gateway: pulumi.Input<string> };
  /** A fixed name for the Linux bridge (at most 15 characters), for host firewall rules that match it. */
  bridgeName?: string;
  /** Members send their off-host traffic through this network (Docker's gateway priority), not their other networks. */
  defaultRoute?: boolean;
  /**
   * Across the nodes of a swarm (DockerHost.swarm): an overlay network, attachable so that
   * a plain container (the latency probe, a one-off `docker run`) can join it too.
   */
  overlay?: boolean;
  provider: docker.Provider;
  /** The host's machine (DockerHost.machineIdentity): a new one gets the network made again. */
  machineIdentity?: pulumi.Input<string>;
}

/** A user-defined network (a bridge, or an overlay on a swarm): containers and services on it find each other by name. */
export class Network extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  /** The network's ID: swarm services name their networks by it (by name, the provider would replace them at every update). */
  readonly id: pulumi.Output<string>;
  /** The gateway priority a member's endpoint gets: set when this network must carry the member's default route. */
  readonly gatewayPriority: number | undefined;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Network", name, {}, opts);
    const network = new docker.Network(
      `${name}-network`,
      {
        name: args.networkName,
        driver: args.overlay ? "overlay" : "bridge",
        attachable: args.overlay || undefined,
        labels: ownerLabels({ lab: args.lab }),
        ipamConfigs: args.ipam ? [{ subnet: args.ipam.subnet, gateway: args.ipam.gateway }] : undefined,
        options: args.bridgeName ? { "com.docker.network.bridge.name": args.bridgeName } : undefined,
      },
      // A fixed name cannot exist twice, so a replacement must remove the old network first.
      // Children do not inherit the component's dependsOn: handed on, so the network waits for what this one waits for.
      { parent: this, provider: args.provider, deleteBeforeReplace: true, dependsOn: opts?.dependsOn, ...onMachine(args.machineIdentity) },
    );
    this.name = network.name;
    this.id = network.id;
    this.gatewayPriority = args.defaultRoute ? 1 : undefined;
    this.registerOutputs({ name: this.name });
  }
}
