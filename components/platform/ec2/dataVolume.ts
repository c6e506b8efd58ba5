import type * as Aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../awsSdk";

/** Size of the data volume, GiB: Docker's named volumes (databases, uploads) and the labs' files. */
export const DATA_VOLUME_GB = 20;
/** The name the volume is attached under; Nitro instances show it as NVMe, and mount-data-volume.sh finds it by volume ID. */
export const DATA_VOLUME_DEVICE = "/dev/sdf";

/** The first availability zone, by name, of the provider's region that offers the instance type. */
function zoneOffering(instanceType: string, parent: pulumi.Resource): pulumi.Output<string> {
  const offerings = aws.ec2.getInstanceTypeOfferingsOutput(
    { locationType: "availability-zone", filters: [{ name: "instance-type", values: [instanceType] }] },
    { parent },
  );
  return offerings.locations.apply((zones) => {
    const zone = [...zones].sort()[0];
    if (!zone) throw new Error(`no availability zone of this region offers ${instanceType}: choose another ec2InstanceType or region`);
    return zone;
  });
}

/**
 * The encrypted EBS volume that holds lab data. It does not depend on the
 * instance, so replacing the instance (a changed cloud-init script, another
 * instance type) leaves it as it is; the new instance is placed in its zone
 * and mounts it. `pulumi destroy` leaves it too (retained): lab data is
 * removed on purpose, not by accident.
 */
/** The tag that marks the data volume, which outlives the stack (retained on delete). */
export const DATA_VOLUME_TAG = "container-labs:holds";

export function createDataVolume(name: string, args: { instanceType: string; sizeGb: number }, parent: pulumi.Resource): Aws.ebs.Volume {
  return new aws.ebs.Volume(
    `${name}-data`,
    {
      availabilityZone: zoneOffering(args.instanceType, parent),
      size: args.sizeGb,
      type: "gp3",
      encrypted: true,
      tags: { Name: `${name}-data`, "container-labs:managed-by": "pulumi", [DATA_VOLUME_TAG]: "lab data" },
    },
    {
      parent,
      retainOnDelete: true,
      // The zone is chosen once: a later instance type offered elsewhere must not move (that is, replace) the data.
      ignoreChanges: ["availabilityZone"],
    },
  );
}

/**
 * Attaches the data volume to the instance. A replaced instance gets a new
 * attachment; the old one is removed first (a volume attaches to one
 * instance), and the old instance is stopped before the volume is detached,
 * so its databases shut down cleanly before the new instance mounts them.
 */
export function attachDataVolume(name: string, volume: Aws.ebs.Volume, instance: Aws.ec2.Instance, parent: pulumi.Resource): Aws.ec2.VolumeAttachment {
  return new aws.ec2.VolumeAttachment(
    `${name}-data-attachment`,
    { deviceName: DATA_VOLUME_DEVICE, volumeId: volume.id, instanceId: instance.id, stopInstanceBeforeDetaching: true },
    { parent, deleteBeforeReplace: true },
  );
}
