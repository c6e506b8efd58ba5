import { ownerLabels } from "./labels";
import { shellQuote } from "./shell";

/**
 * The one container the program starts as root: it hands a fresh volume or
 * host directory (root's when Docker makes it) to the unprivileged user of
 * the service that writes there, then exits. It is as small as that job
 * allows: CHOWN is its only capability (the path it changes is root's own,
 * so no DAC_OVERRIDE is needed to reach it), no network, a read-only root,
 * no-new-privileges, a few processes and little memory, removed on exit.
 *
 * A `docker run` rather than a Container resource: the Docker provider has no
 * pids-limit input, and a container that exits while the provider creates it
 * is gone before a `docker update` could limit it; `docker run` sets the
 * limit when it makes the container.
 */
export const VOLUME_OWNER_LIMITS = {
  /** chown is one process; a few spare for the runtime's own. */
  pids: 8,
  memoryMb: 32,
} as const;

export interface VolumeOwnerArgs {
  /** The lab the volume belongs to (labels the container). */
  lab: string;
  /** An image holding the user that gets the volume (names resolve in its /etc/passwd). */
  image: string;
  /** `docker run --volume` form: `<volume name or absolute host path>:<path in the container>`. */
  volume: string;
  /** `user[:group]` as chown reads it. */
  owner: string;
  /** The path to hand over, inside the container. */
  path: string;
}

/** The shell command that runs the volume-owner container to completion. */
export function volumeOwnerCommand(args: VolumeOwnerArgs): string {
  const labels = ownerLabels({ lab: args.lab, service: "volume-owner", runsAsRoot: "chown: hands a fresh volume to the service's unprivileged user" });
  return [
    "docker run --rm --user 0 --network none --read-only",
    "--cap-drop ALL --cap-add CHOWN --security-opt no-new-privileges:true",
    `--pids-limit ${VOLUME_OWNER_LIMITS.pids} --memory ${VOLUME_OWNER_LIMITS.memoryMb}m --memory-swap ${VOLUME_OWNER_LIMITS.memoryMb}m`,
    ...labels.map(({ label, value }) => `--label ${shellQuote(`${label}=${value}`)}`),
    `--volume ${shellQuote(args.volume)} --entrypoint chown ${shellQuote(args.image)} ${shellQuote(args.owner)} ${shellQuote(args.path)}`,
  ].join(" ");
}
