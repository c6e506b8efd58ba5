import { DOCKER_INSTALLER, HOST_DATA_DIR, type DockerSource, type HostFile } from "../remote/hostFiles";
import { shellQuote } from "../shell";

export interface BootstrapArgs {
  /** Every remote host's files (and a private registry's CA). */
  files: readonly HostFile[];
  /** The SSH user, who is let run docker. */
  loginUser: string;
  dockerSource: DockerSource;
}

/**
 * The ssh target's bootstrap, run as root through `bash -s`: what cloud-init
 * does on EC2, with the same files and the same installer, except the data
 * volume (the ssh target keeps lab data under HOST_DATA_DIR on the machine's
 * own disk). Each file is written only when its content differs; when one
 * changed, systemd reloads and the firewall and Docker restart (live-restore
 * keeps the containers running), so a second `up` with nothing new changes
 * nothing on the host.
 */
export function bootstrapScript(args: BootstrapArgs): string {
  const writes = args.files.map((file) => `put ${shellQuote(file.path)} ${file.permissions} ${Buffer.from(file.content, "utf8").toString("base64")}`);
  return [
    "set -euo pipefail",
    "changed=0",
    "# put <path> <mode> <base64 content>: writes the file only when it differs",
    "put() {",
    '  local staged; staged="$(mktemp)"',
    '  printf %s "$3" | base64 -d > "$staged"',
    '  if ! cmp -s "$staged" "$1" || [ "$(stat -c %a "$1")" != "${2#0}" ]; then',
    '    install -D -m "$2" -o root -g root "$staged" "$1"',
    '    echo "bootstrap: wrote $1" >&2',
    "    changed=1",
    "  fi",
    '  rm -f "$staged"',
    "}",
    ...writes,
    `install -d -m 0755 ${HOST_DATA_DIR}`,
    `${DOCKER_INSTALLER} ${shellQuote(args.loginUser)} ${args.dockerSource}`,
    'if [ "$changed" = 1 ]; then',
    "  systemctl daemon-reload",
    "  systemctl try-restart container-labs-imds-firewall.service docker.service",
    "fi",
    'docker info --format "bootstrap: docker {{.ServerVersion}} ready"',
  ].join("\n");
}
