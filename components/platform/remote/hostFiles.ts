/**
 * The files that turn a Linux machine into a Docker host for the labs,
 * shipped beside this module and written by every remote target: by
 * cloud-init on EC2 (ec2/cloudInit.ts), over SSH on the ssh target
 * (ssh/bootstrap.ts). The scripts and units refer to each other by these
 * paths.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Where lab bind mounts live on a remote host. */
export const HOST_DATA_DIR = "/var/lib/container-labs";
export const TLS_INSTALLER = "/usr/local/sbin/container-labs-docker-tls";
export const DOCKER_INSTALLER = "/usr/local/sbin/container-labs-install-docker";
/** The engine's own unix socket on a remote host. */
export const REMOTE_DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * Where the Docker installer takes Docker Engine from: Docker's apt
 * repository for the machine's distribution, Ubuntu or Debian (the default,
 * and always on EC2: its signing key is checked by fingerprint), or the distribution's own docker.io package, for a machine
 * that cannot reach Docker's repository (the stand-in machine of the tests).
 */
export const DOCKER_SOURCES = ["docker-repository", "distribution"] as const;
export type DockerSource = (typeof DOCKER_SOURCES)[number];

export interface HostFile {
  path: string;
  permissions: string;
  content: string;
}

/** The text of a file shipped in `directory` (a target's folder). */
export function shippedFile(directory: string, name: string): string {
  return readFileSync(path.join(directory, name), "utf8");
}

/** A file shipped beside this module. */
export function hostFile(name: string): string {
  return shippedFile(__dirname, name);
}

const file = (hostPath: string, permissions: string, source: string): HostFile => ({ path: hostPath, permissions, content: hostFile(source) });

const DAEMON_JSON = "/etc/docker/daemon.json";

/** Docker's hardening, its TLS listener, the instance-metadata firewall, and the installers. */
export const REMOTE_HOST_FILES: readonly HostFile[] = [
  file(DAEMON_JSON, "0644", "docker-daemon.json"),
  file("/etc/systemd/system/docker.service.d/10-container-labs.conf", "0644", "docker-service-override.conf"),
  file("/etc/systemd/system/container-labs-imds-firewall.service", "0644", "container-labs-imds-firewall.service"),
  file("/etc/container-labs/docker-tls.conf", "0644", "docker-tls.conf"),
  file("/usr/local/sbin/container-labs-imds-firewall", "0755", "imds-firewall.sh"),
  file("/usr/local/sbin/container-labs-verify-key", "0755", "verify-key-fingerprint.sh"),
  file(DOCKER_INSTALLER, "0755", "install-docker.sh"),
  file(TLS_INSTALLER, "0755", "install-docker-tls.sh"),
];

/** Where Docker looks for the CA of a registry whose certificate no public CA signed. */
export function registryCaPath(server: string): string {
  return `/etc/docker/certs.d/${server}/ca.crt`;
}

/**
 * The files of a machine in a swarm of hosts: the same, but Docker's
 * daemon.json turns live-restore off, which swarm mode refuses (dockerd:
 * "--live-restore daemon configuration is incompatible with swarm mode"):
 * the swarm itself starts a node's tasks again, on it or elsewhere.
 */
export const SWARM_HOST_FILES: readonly HostFile[] = REMOTE_HOST_FILES.map((each) =>
  each.path === DAEMON_JSON ? { ...each, content: `${JSON.stringify({ ...JSON.parse(each.content), "live-restore": false }, null, 2)}\n` } : each,
);
