import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ownerLabels } from "./labels";

/**
 * What `pulumi destroy` does with a volume: scratch volumes go; data volumes
 * (databases, uploads) are retained (left in Docker) or protected (destroy
 * refuses until the protection is lifted), by setting.
 */
export type Keep = { holds: "scratch" } | { holds: "data"; onDestroy: "retain" | "protect" };

export interface VolumeArgs {
  lab: string;
  /** The Docker volume's name (e.g. t2v, postgres_data). */
  volumeName: string;
  keep: Keep;
  provider: docker.Provider;
}

/** A named Docker volume, labelled with its lab; data volumes survive destroy by setting. */
export class Volume extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: VolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Volume", name, {}, opts);
    const retained = args.keep.holds === "data" && args.keep.onDestroy === "retain";
    const volume = new docker.Volume(
      `${name}-volume`,
      { name: args.volumeName, labels: ownerLabels({ lab: args.lab, data: args.keep.holds === "data", retained }) },
      {
        parent: this,
        provider: args.provider,
        retainOnDelete: retained,
        protect: args.keep.holds === "data" && args.keep.onDestroy === "protect",
      },
    );
    this.name = volume.name;
    this.registerOutputs({ name: this.name });
  }
}
