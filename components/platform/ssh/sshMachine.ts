import * as pulumi from "@pulumi/pulumi";
import { isIpv4 } from "../../config/cidr";
import { REMOTE_HOST_FILES, registryCaPath, SWARM_HOST_FILES, type DockerSource, type HostFile } from "../remote/hostFiles";
import { RemoteCommand, type SshConnectionArgs } from "../remote/remoteCommand";
import type { RemoteMachine } from "../remote/remoteHost";
import type { SwarmEndpointMode } from "../remote/swarm";
import { bootstrapScript } from "./bootstrap";

/** One machine of the ssh target: where it is, and the host key it must present. */
export interface SshAddress {
  /** Its address (IP or DNS name), for SSH, the Docker API and the labs' URLs. */
  host: string;
  /** Its public key, "<type> <base64>" ("ssh-ed25519 AAAA..."), pinned: no session starts with any other. */
  hostKey: string;
}

/** target ssh: a Linux machine the user already has (Debian 12, Ubuntu 22.04 or 24.04), or several that form a swarm. */
export interface SshSettings extends SshAddress {
  port: number;
  /** A user with passwordless sudo (root too, where sudo is installed), on every machine. */
  user: string;
  /** The login key (OpenSSH or PEM private key), on every machine: a secret. */
  privateKey: pulumi.Output<string>;
  dockerSource: DockerSource;
  /** The other machines of a swarm (sshSwarmHosts), the first machine its founder; none: one machine, no swarm. */
  swarmHosts: SshAddress[];
  /** How the swarm's services are reached (swarmEndpointMode). */
  endpointMode: SwarmEndpointMode;
}

export interface SshMachineArgs {
  settings: SshSettings;
  /** Which machine: the first (sshHost) unless one of swarmHosts is given. */
  machine?: SshAddress;
  /** A private registry's CA, installed where Docker looks for it. */
  registryCa?: { server: string; pem: string };
}

/** As root through sudo, which must not ask for a password (-n fails at once, saying so, instead of hanging). */
const AS_ROOT = "sudo -n bash -s";

/**
 * A machine of the ssh target: the user's own, reached with their key and
 * only if it presents the pinned host key, then bootstrapped over SSH with
 * the files and installer EC2's cloud-init uses (a swarm's with the swarm's
 * daemon.json). The bootstrap runs again only when what it writes changes.
 */
export function sshMachine(name: string, args: SshMachineArgs, parent: pulumi.Resource): RemoteMachine {
  const { settings } = args;
  const { host, hostKey } = args.machine ?? settings;
  const connection: SshConnectionArgs = { host, port: settings.port, user: settings.user, privateKey: settings.privateKey, hostKey };
  const files: HostFile[] = [
    ...(settings.swarmHosts.length > 0 ? SWARM_HOST_FILES : REMOTE_HOST_FILES),
    ...(args.registryCa ? [{ path: registryCaPath(args.registryCa.server), permissions: "0644", content: args.registryCa.pem }] : []),
  ];
  const script = bootstrapScript({ files, loginUser: settings.user, dockerSource: settings.dockerSource });
  const bootstrap = new RemoteCommand(`${name}-bootstrap`, { connection, create: AS_ROOT, stdin: script }, { parent });
  return {
    connection,
    address: pulumi.output(host),
    certificateNames: isIpv4(host) ? { ipAddresses: [host], dnsNames: [] } : { ipAddresses: [], dnsNames: [host] },
    ready: bootstrap,
    // The same machine for as long as it presents the same host key.
    identity: hostKey,
    exposure: "host-firewall",
  };
}
