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
  /** The Docker volume's name: the course's (t2v, postgres_data) or the stack's (stackNames.ts); Platform.volume picks it. */
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
        // A volume keeps the name it was made with: a new name is a new volume, and the data would stay behind in
        // the old one (a protected one would stop the update). Stacks made before volumes carried the stack's name
        // keep theirs; new ones get the stack's (stackNames.ts).
        ignoreChanges: ["name"],
      },
    );
    this.name = volume.name;
    this.registerOutputs({ name: this.name });
  }
}
