import { list } from "./properties";

/**
 * Labels the program puts on Docker resources to tell the rules what a
 * resource is for. They are the contract between components/ and this pack:
 * both read the keys from here (components/platform/labels.ts writes them).
 */
export const LABELS = {
  /** `pulumi`: every container, network and volume the program makes, so `docker ps --filter label=...` finds them. */
  managedBy: "container-labs.managed-by",
  /** The lab the resource belongs to. */
  lab: "container-labs.lab",
  /** The stack a container belongs to: `npm run up` refuses a second stack on an engine that runs one (scripts/labs/otherStacks.ts). */
  stack: "container-labs.stack",
  /** The lab's service the resource belongs to. */
  service: "container-labs.service",
  /** `job-worker`: a container that starts job containers, so it needs the Docker socket. */
  role: "container-labs.role",
  /** `true`: a volume holding data a user would lose (databases, DynamoDB Local, probe results). */
  data: "container-labs.data",
  /**
   * `true`: the volume is created with `retainOnDelete`. The analyzer protocol
   * does not pass that option to policy packs (it passes `protect`), so the
   * program states it here; test/ checks the label matches the option.
   */
  retainOnDelete: "container-labs.retain-on-delete",
  /**
   * `<reason>`: why the container publishes a port beyond the host's
   * loopback, e.g. `lan` (the user opened local ports with a setting) or
   * `security-group` (on EC2, where the security group limits who reaches it).
   */
  exposure: "container-labs.exposure",
  /** `<reason>`: why the container's root filesystem cannot be read-only. */
  writableRoot: "container-labs.writable-root",
  /** `<reason>`: why the container's process must start as root (uid 0). */
  runsAsRoot: "container-labs.runs-as-root",
  /** `<reason>`: why no `docker update --pids-limit` command reaches the container. */
  noPidsLimit: "container-labs.no-pids-limit",
} as const;

/** The value of LABELS.managedBy on everything the program makes. */
export const MANAGER = "pulumi";

/** The label filter (`docker ps --filter label=<this>`) that finds everything the program made. */
export const MANAGED_BY_FILTER = `${LABELS.managedBy}=${MANAGER}`;

export const JOB_WORKER_ROLE = "job-worker";

/** A Docker label's value from the provider's `[{label, value}]` list. */
export function labelValue(labels: unknown, key: string): string | undefined {
  return list<{ label?: string; value?: string }>(labels).find((entry) => entry.label === key)?.value;
}

/** A label that states a reason: present and not blank. */
export function hasReason(labels: unknown, key: string): boolean {
  return (labelValue(labels, key)?.trim() ?? "") !== "";
}
