import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ownerLabels } from "./labels";

export interface NetworkArgs {
  lab: string;
  /** The Docker network's name, as the course names it (e.g. t3n, kleeweb_network). */
  networkName: string;
  /** A fixed IPv4 subnet and gateway; unset lets Docker choose. */
  ipam?: { subnet: pulumi.Input<string>; gateway: pulumi.Input<string> };
  provider: docker.Provider;
}

/** A user-defined bridge network: containers on it find each other by name. */
export class Network extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Network", name, {}, opts);
    const network = new docker.Network(
      `${name}-network`,
      {
        name: args.networkName,
        driver: "bridge",
        labels: ownerLabels({ lab: args.lab }),
        ipamConfigs: args.ipam ? [{ subnet: args.ipam.subnet, gateway: args.ipam.gateway }] : undefined,
      },
      // A fixed name cannot exist twice, so a replacement must remove the old network first.
      // Children do not inherit the component's dependsOn: handed on, so the network waits for what this one waits for.
      { parent: this, provider: args.provider, deleteBeforeReplace: true, dependsOn: opts?.dependsOn },
    );
    this.name = network.name;
    this.registerOutputs({ name: this.name });
  }
}
