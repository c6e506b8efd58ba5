import type * as aws from "@pulumi/aws";
import type * as docker from "@pulumi/docker";
import type * as dockerBuild from "@pulumi/docker-build";
import type * as pulumi from "@pulumi/pulumi";
import type { Network } from "./network";

/**
 * The Pulumi type of every target's host component. One type for all of
 * them: a stack's resources keep their URNs whichever class makes its host.
 */
export const DOCKER_HOST_TYPE = "container-labs:platform:DockerHost";

/** uid and gid of the `node` user our images run as (and of Ubuntu's login user). */
export const CONTAINER_UID = 1000;

export interface HostCommandArgs {
  /** Shell run on the Docker host (this machine for local, the host over SSH for the remote targets). */
  create: pulumi.Input<string>;
  /** Inputs whose change runs `create` again. */
  triggers?: pulumi.Input<unknown>[];
  /** Given to the command on standard input: how secrets reach it without showing in its command line. */
  stdin?: pulumi.Input<string>;
  /** Resources that must exist first (e.g. a healthy container). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * What a target gives the platform: the machine that runs the labs'
 * containers. Each target (local/, ec2/, ssh/) makes one; labs never ask
 * which. Every member talks to the same engine.
 */
export interface DockerHost extends pulumi.Resource {
  /** The engine that runs the labs' containers. */
  readonly docker: docker.Provider;
  /** What builds the images for it. */
  readonly builder: ImageBuilder;
  /** Where users reach published ports: localhost, or the host's address. */
  readonly address: pulumi.Output<string>;
  /** The host address published ports bind to. */
  readonly publishAddress: string;
  /** Why ports are published beyond loopback (a label the policy pack reads); undefined when they are not. */
  readonly exposure?: string;
  /** Absolute directory on the host under which lab bind mounts live. */
  readonly dataDir: string;
  /** The engine's unix socket on the host, for containers that start sibling containers; undefined if it has none. */
  readonly socketPath?: string;
  /** buildx platform of the images built for this host; unset builds for the build machine's own. */
  readonly buildPlatform?: string;
  /** The instance role (ec2 only): labs grant their containers AWS access through it. */
  readonly instanceRole?: aws.iam.Role;
  /**
   * The only Docker network whose containers may obtain the instance role's
   * credentials (ec2 only; the host's firewall rejects the rest): a container
   * that calls AWS joins it besides its lab's network.
   */
  readonly awsCredentialsNetwork?: Network;
  /** How a remote host is reached over SSH (what sits on its loopback is reached through it); undefined locally. */
  readonly ssh?: SshConnectionArgs;
  /**
   * Which machine the remote host is: an EC2 instance's ID, the host key a
   * user's machine presents. A new one means a new machine at the same
   * address, which has none of what the stack made on the old one (see
   * onMachine.ts); undefined locally.
   */
  readonly machineIdentity?: pulumi.Input<string>;
  /**
   * Set when the host is a swarm of machines (a remote target given several):
   * labs then run as swarm services on overlay networks instead of containers
   * on bridges. Undefined on a single machine.
   */
  readonly swarm?: SwarmShape;
  /** Runs a shell command on the Docker host, again whenever a trigger changes; `stdout` is what it printed. */
  command(name: string, args: HostCommandArgs, parent: pulumi.Resource): pulumi.Resource & { stdout: pulumi.Output<string> };
  /**
   * A directory under the host's data dir, readable by its owner only and
   * writable by the containers' user (CONTAINER_UID). `image` is one the
   * host has, for a target that hands the directory over from a container.
   * Returns its absolute path and the command that made it, for dependsOn.
   */
  directory(name: string, relative: string, image: pulumi.Input<string>, parent: pulumi.Resource): { path: string; ready: pulumi.Resource };
}

/** Where a command runs: the host, its SSH port and user, and the one host key accepted. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  /** The only host key accepted, as "<type> <base64> [comment]". */
  hostKey: string;
  /** How long to keep dialling a host that does not answer yet (a machine booting), in seconds. */
  dialTimeoutSeconds?: number;
}

export interface SshConnection extends SshEndpoint {
  /** The login key (OpenSSH or PEM). */
  privateKey: string;
}

/** A connection as the program has it: the address and keys may still be outputs of other resources. */
export type SshConnectionArgs = { [K in keyof SshConnection]: pulumi.Input<SshConnection[K]> };

/** The builder every target's images are made with: BuildKit of the engine on the machine running Pulumi. */
export interface ImageBuilder {
  readonly provider: dockerBuild.Provider;
  readonly options: Pick<dockerBuild.ImageArgs, "exec" | "builder">;
}

/**
 * What a swarm of hosts gives the platform. The `docker` provider of the
 * DockerHost talks to a manager; services are spread by the swarm itself.
 */
export interface SwarmShape {
  /**
   * How a service's tasks are reached: "vip" (a virtual IP and the ingress
   * routing mesh, Docker's default, which needs IPVS in the kernel) or "dnsrr"
   * (DNS round robin, with ports published in host mode on the node that runs
   * the task) where the kernel has no IPVS.
   */
  readonly endpointMode: "vip" | "dnsrr";
  /**
   * The node label and value of the machine the host's address, commands and
   * volumes are on: services that need it (databases with their volumes, see
   * swarmService.ts) are pinned there by `node.labels.<label> == <value>`.
   */
  readonly statefulNode: { label: string; value: string };
  /** Done once every node has joined and carries its labels: services wait for it. */
  readonly ready: pulumi.Resource;
}
