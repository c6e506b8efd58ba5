import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ownerLabels } from "./labels";

/** What happens to a volume's data on `pulumi destroy`. */
export type Keep = "delete" | "retain" | "protect";

export interface VolumeArgs {
  lab: string;
  /** The Docker volume's name (e.g. t2v, postgres_data). */
  volumeName: string;
  /** Data volumes are retained or protected by setting; scratch volumes are deleted. */
  keep: Keep;
  provider: docker.Provider;
}

/** A named Docker volume, labelled with its lab; data volumes survive destroy by setting. */
export class Volume extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: VolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Volume", name, {}, opts);
    const volume = new docker.Volume(
      `${name}-volume`,
      { name: args.volumeName, labels: ownerLabels({ lab: args.lab }) },
      {
        parent: this,
        provider: args.provider,
        retainOnDelete: args.keep === "retain",
        protect: args.keep === "protect",
      },
    );
    this.name = volume.name;
    this.registerOutputs({ name: this.name });
  }
}
