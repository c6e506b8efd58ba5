/**
 * Labels every container, network and volume carries, so `docker ps --filter
 * label=...` finds a lab's parts; their keys are the policy pack's LABELS.
 */
import { LABELS, MANAGER } from "../../policy/lib/labels";

export { JOB_WORKER_ROLE, MANAGED_BY_FILTER } from "../../policy/lib/labels";

export interface Owner {
  lab: string;
  /** The stack, on containers only: added to a volume that exists, a label would replace the volume and lose its data. */
  stack?: string;
  service?: string;
  /** What the policy pack keys on: JOB_WORKER_ROLE (may mount the Docker socket). */
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
  const labels: Array<{ label: string; value: string }> = [
    { label: LABELS.managedBy, value: MANAGER },
    { label: LABELS.lab, value: owner.lab },
  ];
  if (owner.stack) labels.push({ label: LABELS.stack, value: owner.stack });
  if (owner.service) labels.push({ label: LABELS.service, value: owner.service });
  if (owner.role) labels.push({ label: LABELS.role, value: owner.role });
  if (owner.data) labels.push({ label: LABELS.data, value: "true" });
  if (owner.retained) labels.push({ label: LABELS.retainOnDelete, value: "true" });
  if (owner.exposure) labels.push({ label: LABELS.exposure, value: owner.exposure });
  if (owner.writableRoot) labels.push({ label: LABELS.writableRoot, value: owner.writableRoot });
  if (owner.runsAsRoot) labels.push({ label: LABELS.runsAsRoot, value: owner.runsAsRoot });
  if (owner.noPidsLimit) labels.push({ label: LABELS.noPidsLimit, value: owner.noPidsLimit });
  return labels;
}
