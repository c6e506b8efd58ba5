import * as pulumi from "@pulumi/pulumi";
import { isIpv4 } from "../../config/cidr";
import { REMOTE_HOST_FILES, registryCaPath, type DockerSource, type HostFile } from "../remote/hostFiles";
import { RemoteCommand, type SshConnectionArgs } from "../remote/remoteCommand";
import type { RemoteMachine } from "../remote/remoteHost";
import { bootstrapScript } from "./bootstrap";

/** target ssh: a Linux machine the user already has (Debian 12, Ubuntu 22.04 or 24.04). */
export interface SshSettings {
  /** Its address (IP or DNS name), for SSH, the Docker API and the labs' URLs. */
  host: string;
  port: number;
  /** A user with passwordless sudo (root too, where sudo is installed). */
  user: string;
  /** The login key (OpenSSH or PEM private key): a secret. */
  privateKey: pulumi.Output<string>;
  /** The host's public key, "<type> <base64>" ("ssh-ed25519 AAAA..."), pinned: no session starts with any other. */
  hostKey: string;
  dockerSource: DockerSource;
}

export interface SshMachineArgs {
  settings: SshSettings;
  /** A private registry's CA, installed where Docker looks for it. */
  registryCa?: { server: string; pem: string };
}

/** As root through sudo, which must not ask for a password (-n fails at once, saying so, instead of hanging). */
const AS_ROOT = "sudo -n bash -s";

/**
 * The ssh target's machine: the user's own, reached with their key and
 * only if it presents the pinned host key, then bootstrapped over SSH with
 * the files and installer EC2's cloud-init uses. The bootstrap runs again
 * only when what it writes changes.
 */
export function sshMachine(name: string, args: SshMachineArgs, parent: pulumi.Resource): RemoteMachine {
  const { settings } = args;
  const connection: SshConnectionArgs = {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    privateKey: settings.privateKey,
    hostKey: settings.hostKey,
  };
  const files: HostFile[] = [
    ...REMOTE_HOST_FILES,
    ...(args.registryCa ? [{ path: registryCaPath(args.registryCa.server), permissions: "0644", content: args.registryCa.pem }] : []),
  ];
  const script = bootstrapScript({ files, loginUser: settings.user, dockerSource: settings.dockerSource });
  const bootstrap = new RemoteCommand(`${name}-bootstrap`, { connection, create: AS_ROOT, stdin: script }, { parent });
  const address = pulumi.output(settings.host);
  return {
    connection,
    address,
    certificateNames: isIpv4(settings.host) ? { ipAddresses: [settings.host], dnsNames: [] } : { ipAddresses: [], dnsNames: [settings.host] },
    ready: bootstrap,
    // The same machine for as long as it presents the same host key.
    identity: settings.hostKey,
    exposure: "host-firewall",
  };
}
