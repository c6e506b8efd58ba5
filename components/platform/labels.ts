/** Labels every container, network and volume carries, so `docker ps --filter label=...` finds a lab's parts. */
export const LABEL_PREFIX = "container-labs";

export interface Owner {
  lab: string;
  service?: string;
  /** What the policy pack keys on: "job-worker" (may mount the Docker socket). */
  role?: string;
  /** A volume that holds data users would miss (the policy pack wants it retained or protected). */
  data?: boolean;
  /** Says the volume is retained on destroy: policies see `protect` but not `retainOnDelete`. */
  retained?: boolean;
  /** Why the container publishes ports beyond loopback: "lan" (the user opened them) or "security-group" (EC2). */
  exposure?: string;
  /** Why the container's root filesystem is writable (the policy pack wants it read-only otherwise). */
  writableRoot?: string;
  /** Why the container starts as root (the policy pack wants a non-root user otherwise). */
  runsAsRoot?: string;
  /** Why no pids limit reaches the container (the policy pack wants one otherwise). */
  noPidsLimit?: string;
}

export function ownerLabels(owner: Owner): Array<{ label: string; value: string }> {
  const labels = [
    { label: `${LABEL_PREFIX}.managed-by`, value: "pulumi" },
    { label: `${LABEL_PREFIX}.lab`, value: owner.lab },
  ];
  if (owner.service) labels.push({ label: `${LABEL_PREFIX}.service`, value: owner.service });
  if (owner.role) labels.push({ label: `${LABEL_PREFIX}.role`, value: owner.role });
  if (owner.data) labels.push({ label: `${LABEL_PREFIX}.data`, value: "true" });
  if (owner.retained) labels.push({ label: `${LABEL_PREFIX}.retain-on-delete`, value: "true" });
  if (owner.exposure) labels.push({ label: `${LABEL_PREFIX}.exposure`, value: owner.exposure });
  if (owner.writableRoot) labels.push({ label: `${LABEL_PREFIX}.writable-root`, value: owner.writableRoot });
  if (owner.runsAsRoot) labels.push({ label: `${LABEL_PREFIX}.runs-as-root`, value: owner.runsAsRoot });
  if (owner.noPidsLimit) labels.push({ label: `${LABEL_PREFIX}.no-pids-limit`, value: owner.noPidsLimit });
  return labels;
}
