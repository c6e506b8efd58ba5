/**
 * A STAND-IN for EC2's instance metadata service (IMDSv2) on a stand-in
 * machine (machine.ts), and its clients: curl in a container of the
 * machine's own dockerd on given networks, and on the machine itself. Started by a test after
 * the machine boots (and again after a reboot), never by the machine's
 * image, so that the machine still boots as a fresh instance.
 *
 * metadata-standin.sh puts metadata-standin.py at 169.254.169.254:80 in a
 * network namespace of the machine, routed as the metadata service is from
 * an instance: a container's packets to it are forwarded (FORWARD,
 * DOCKER-USER), the machine's own go out (OUTPUT). Its token answer carries
 * the hop limit as IP TTL, as EC2's does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { docker, type Engine } from "./engine";
import type { Machine } from "./machine";

export const METADATA_ADDRESS = "169.254.169.254";
/** Where the stand-in's files go on the machine: /run, so a reboot forgets them (a noexec tmpfs: run by their interpreters). */
const STANDIN_DIR = "/run/container-labs-standin-imds";

/** Puts the stand-in metadata service on `machine`, answering for `role`; resolves once the machine reaches it. */
export async function startMetadataStandin(engine: Engine, machine: Machine, options: { role: string; hopLimit: number }): Promise<void> {
  for (const file of ["metadata-standin.sh", "metadata-standin.py"]) {
    const target = `${STANDIN_DIR}/${file}`;
    await docker(engine, ["exec", "-i", machine.name, "sh", "-c", `mkdir -p ${STANDIN_DIR} && cat > ${target}`], {
      input: readFileSync(join(__dirname, file), "utf8"),
    });
  }
  await machine.exec(["bash", `${STANDIN_DIR}/metadata-standin.sh`, options.role, String(options.hopLimit)]);
}

/** What a client got: the role's name (a token, then the credentials listing), or curl's exit code and message. */
export type MetadataAnswer = { role: string } | { exit: number; said: string };

/** How long a client waits for each answer: a refusal comes at once, a dropped packet waits this out. */
export const METADATA_CLIENT_TIMEOUT_SECONDS = 2;

/** IMDSv2's two steps, a token then the role's name, with curl: what the host and the containers run. */
const CLIENT = [
  `url=http://${METADATA_ADDRESS}`,
  `curl="curl --silent --show-error --fail --max-time ${METADATA_CLIENT_TIMEOUT_SECONDS}"`,
  `token="$($curl -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$url/latest/api/token")" &&`,
  `$curl -H "X-aws-ec2-metadata-token: $token" "$url/latest/meta-data/iam/security-credentials/"`,
].join("\n");

/** The client's image in the machine's dockerd. */
export const METADATA_CLIENT_IMAGE = "container-labs-standin/metadata-client:machine-curl";

/**
 * Makes the client's image in the machine's dockerd, which starts with no
 * image and can pull none: the machine's own curl and sh with the libraries
 * they link (about 20 MB, under a second; a stand-in image from the private
 * engine, saved and loaded, takes 15-20 s). Kept across a reboot, with the
 * rest of Docker's data root.
 */
export async function makeMetadataClientImage(machine: Machine): Promise<string> {
  await machine.exec([
    "bash", "-c",
    `set -euo pipefail
    files=$(for binary in /usr/bin/curl /usr/bin/sh; do echo "$binary"; ldd "$binary" | grep -o '/[^ ]*'; done | sort -u)
    tar --create --dereference --absolute-names $files 2>/dev/null | docker import --change 'CMD ["sh"]' - ${METADATA_CLIENT_IMAGE} >/dev/null`,
  ]);
  return METADATA_CLIENT_IMAGE;
}

/** Runs `command` on the machine; resolves to the client's answer, whatever its exit. */
async function ask(machine: Machine, command: string[]): Promise<MetadataAnswer> {
  const output = await machine.exec(["sh", "-c", '"$@" 2>&1; echo "exit $?"', "ask", ...command]);
  const [, said, code] = /^([\s\S]*?)\n?exit (\d+)$/.exec(output) ?? [];
  if (code === undefined) throw new Error(`no exit code in ${JSON.stringify(output)}`);
  return code === "0" ? { role: said } : { exit: Number(code), said };
}

let clients = 0;

/**
 * Asks the metadata service from a container of the machine's dockerd on
 * `networks`: created on the first, connected to the others, as the Docker
 * provider attaches a container's networks.
 */
export async function metadataFromContainer(machine: Machine, networks: string[]): Promise<MetadataAnswer> {
  const name = `cl-imds-client-${process.pid}-${++clients}`;
  await machine.exec(["docker", "create", "--name", name, "--network", networks[0], METADATA_CLIENT_IMAGE, "sh", "-c", CLIENT]);
  try {
    for (const network of networks.slice(1)) await machine.exec(["docker", "network", "connect", network, name]);
    return await ask(machine, ["docker", "start", "--attach", name]);
  } finally {
    await machine.exec(["docker", "rm", "--force", name]);
  }
}

/** Asks the metadata service from the machine itself, as root. */
export function metadataFromHost(machine: Machine): Promise<MetadataAnswer> {
  return ask(machine, ["sh", "-c", CLIENT]);
}
