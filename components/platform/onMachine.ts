import type * as pulumi from "@pulumi/pulumi";

/**
 * The resource options of what the stack makes on the host's machine itself
 * (its containers, networks and pulled images, the commands run there): made
 * again when the machine is new. A replaced EC2 instance, or a user's machine
 * reinstalled, answers at the same address with the same keys, so the Docker
 * provider alone would believe they all still exist. Named volumes are not
 * among them: their data and Docker's record of them (metadata.db) are under
 * /var/lib/docker/volumes, which the data disk holds on EC2. No option at
 * all locally (no identity): nothing of a local stack changes.
 *
 * A replacement trigger rather than an input (a label, say): a resource whose
 * state holds no trigger yet takes one without being replaced, so the stacks
 * made before it replace nothing when they first record it.
 */
export function onMachine(machineIdentity: pulumi.Input<string> | undefined): Pick<pulumi.CustomResourceOptions, "replacementTrigger"> {
  return machineIdentity === undefined ? {} : { replacementTrigger: machineIdentity };
}
