import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { Ec2Settings, LocalSettings } from "../../config";
import { isLoopbackAddress } from "../../policy/lib/network";
import { AWS_CREDENTIALS_NETWORK } from "./ec2/awsCredentials";
import { HOST_DATA_DIR } from "./ec2/cloudInit";
import { cpuArchitecture, createEc2Host, DOCKER_TLS_PORT, type Ec2Host } from "./ec2/ec2Host";
import { Network } from "./network";
import { LocalCommand } from "./localCommand";
import type { Registry } from "./registry";
import { shellQuote } from "./shell";
import { volumeOwnerCommand } from "./volumeOwner";

export type DockerHostArgs =
  | { target: "local"; local: LocalSettings; registry: Registry }
  | { target: "ec2"; ec2: Ec2Settings; registry: Registry; labPorts: number[] };

export interface HostCommandArgs {
  /** Shell run on the Docker host (this machine for local, the instance over SSH for ec2). */
  create: pulumi.Input<string>;
  /** Inputs whose change runs `create` again. */
  triggers?: pulumi.Input<unknown>[];
  /** Given to the command on standard input: how secrets reach it without showing in its command line. */
  stdin?: pulumi.Input<string>;
  /** Resources that must exist first (e.g. a healthy container). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The engine's own unix socket on the EC2 host. */
const EC2_DOCKER_SOCKET = "/var/run/docker.sock";
/** uid and gid of the `node` user our images run as (and of Ubuntu's login user). */
const CONTAINER_UID = 1000;

/** The socket path of a unix:// endpoint; undefined for tcp:// and ssh:// endpoints. */
export function unixSocketPath(endpoint: string): string | undefined {
  return endpoint.startsWith("unix://") ? endpoint.slice("unix://".length) : undefined;
}

/**
 * The machine that runs the labs' containers, and the one place that knows
 * which target that is. Labs get a Docker provider, a builder, a host
 * address for URLs, a data directory for bind mounts, and a way to run a
 * shell command there; every one of them talks to the same engine.
 */
export class DockerHost extends pulumi.ComponentResource {
  readonly docker: docker.Provider;
  /** Builds images with the engine that builds for this host (locally: the configured engine itself). */
  readonly builder: dockerBuild.Provider;
  /** How builds run on that builder (see the local branch below). */
  readonly buildOptions: Pick<dockerBuild.ImageArgs, "exec" | "builder">;
  /** Where users reach published ports: localhost, or the instance's public IP. */
  readonly address: pulumi.Output<string>;
  /** The host address published ports bind to. */
  readonly publishAddress: string;
  /** Why ports are published beyond loopback (a label the policy pack reads); undefined when they are not. */
  readonly exposure?: string;
  /** Absolute directory on the host under which lab bind mounts live. */
  readonly dataDir: string;
  /** The engine's unix socket on the host, for containers that start sibling containers; undefined if it has none. */
  readonly socketPath?: string;
  /** buildx platform for images built for this host; unset builds for this machine. */
  readonly buildPlatform?: string;
  /** The instance role (ec2 only): labs grant their containers AWS access through it. */
  readonly instanceRole?: aws.iam.Role;
  /**
   * The only Docker network whose containers may obtain the instance role's
   * credentials (ec2 only; the host's firewall rejects the rest): a container
   * that calls AWS joins it besides its lab's network.
   */
  readonly awsCredentialsNetwork?: Network;
  private readonly ec2?: Ec2Host;
  /** Environment of local commands: the configured engine, not whatever DOCKER_HOST the shell has. */
  private readonly localEnvironment?: Record<string, string>;

  constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:DockerHost", name, {}, opts);
    if (args.target === "ec2") {
      this.ec2 = createEc2Host(name, { settings: args.ec2, labPorts: args.labPorts }, this);
      const { address, tls } = this.ec2;
      this.docker = new docker.Provider(
        `${name}-docker`,
        {
          host: pulumi.interpolate`tcp://${address}:${DOCKER_TLS_PORT}`,
          caMaterial: tls.ca.certPem,
          certMaterial: tls.client.certPem,
          keyMaterial: tls.client.keyPem,
          registryAuth: args.registry.pullCredentials,
        },
        { parent: this, dependsOn: [this.ec2.dockerReady] },
      );
      // Images are built on this machine's own engine and pushed; the host pulls them.
      this.builder = new dockerBuild.Provider(`${name}-builder`, {}, { parent: this });
      // buildx's own docker-container builder: cross-platform builds and pushes.
      this.buildOptions = {};
      this.address = address;
      // The security group is what limits who reaches these ports.
      this.publishAddress = "0.0.0.0";
      this.exposure = "security-group";
      this.dataDir = HOST_DATA_DIR;
      this.socketPath = EC2_DOCKER_SOCKET;
      this.buildPlatform = `linux/${cpuArchitecture(args.ec2.instanceType)}`;
      this.instanceRole = this.ec2.role;
      this.awsCredentialsNetwork = new Network(`${name}-aws-credentials`, {
        lab: "platform",
        networkName: AWS_CREDENTIALS_NETWORK.name,
        bridgeName: AWS_CREDENTIALS_NETWORK.bridge,
        defaultRoute: true,
        provider: this.docker,
      }, { parent: this });
    } else {
      const endpoint = args.local.dockerHost;
      this.docker = new docker.Provider(`${name}-docker`, { host: endpoint }, { parent: this });
      this.builder = new dockerBuild.Provider(`${name}-builder`, { host: endpoint }, { parent: this });
      // The engine's own BuildKit (buildx's "docker" driver), through the machine's `docker buildx`
      // plugin: loaded straight into the engine, nothing to pull. The provider's embedded buildx picks a
      // docker-container builder instead, whose BuildKit image comes from Docker Hub (offline, it fails).
      this.buildOptions = { exec: true, builder: { name: "default" } };
      this.localEnvironment = { DOCKER_HOST: endpoint };
      this.address = pulumi.output("localhost");
      this.publishAddress = args.local.publishAddress;
      this.exposure = isLoopbackAddress(args.local.publishAddress) ? undefined : "lan";
      this.dataDir = args.local.dataDir;
      this.socketPath = unixSocketPath(endpoint);
    }
    this.registerOutputs({ address: this.address, dataDir: this.dataDir });
  }

  /** Runs a shell command on the Docker host, again whenever a trigger changes; `stdout` is what it printed. */
  command(name: string, args: HostCommandArgs, parent: pulumi.Resource): pulumi.Resource & { stdout: pulumi.Output<string> } {
    const dependsOn = args.dependsOn ?? [];
    if (this.ec2) {
      return new command.remote.Command(
        name,
        { connection: this.ec2.connection, create: args.create, stdin: args.stdin, triggers: args.triggers },
        { parent, dependsOn: [this.ec2.dockerReady, ...dependsOn] },
      );
    }
    return new LocalCommand(
      name,
      { create: args.create, stdin: args.stdin, triggers: args.triggers, environment: this.localEnvironment },
      { parent, dependsOn },
    );
  }

  /**
   * A directory under the host's data dir, readable by its owner only and
   * writable by the containers' user (uid 1000). Made by whoever runs Pulumi
   * (locally) or root (EC2); when that is not uid 1000, a throwaway container
   * of `image` hands it to uid 1000, so no directory is ever world-writable.
   * Returns its absolute path and the command that made it, for dependsOn.
   */
  directory(name: string, relative: string, image: pulumi.Input<string>, parent: pulumi.Resource): { path: string; ready: pulumi.Resource } {
    const absolute = path.posix.join(this.dataDir, relative);
    const dir = shellQuote(absolute);
    const create = this.ec2
      ? pulumi.output(`sudo install -d -m 0750 -o ${CONTAINER_UID} -g ${CONTAINER_UID} ${dir}`)
      : pulumi.output(image).apply((imageId) => {
          const handOver = volumeOwnerCommand({ lab: "platform", image: imageId, volume: `${absolute}:/dir`, owner: `${CONTAINER_UID}:${CONTAINER_UID}`, path: "/dir" });
          return `mkdir -p ${dir} && chmod 0750 ${dir} && if [ "$(id -u)" != ${CONTAINER_UID} ]; then ${handOver}; fi`;
        });
    const ready = this.command(name, { create, triggers: [absolute] }, parent);
    return { path: absolute, ready };
  }
}
