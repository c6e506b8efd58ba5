import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Ec2Settings, LocalSettings } from "../../config";
import { AWS_CREDENTIALS_NETWORK } from "./ec2/awsCredentials";
import { HOST_DATA_DIR } from "./ec2/cloudInit";
import { cpuArchitecture, createEc2Host, DOCKER_TLS_PORT, type Ec2Host } from "./ec2/ec2Host";
import { Network } from "./network";
import type { Registry } from "./registry";
import { shellQuote } from "./shell";

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
  dependsOn?: pulumi.Resource[];
}

/**
 * The machine that runs the labs' containers, and the one place that knows
 * which target that is. Labs get a Docker provider, a host address for URLs,
 * a data directory for bind mounts, and a way to run a shell command there.
 */
export class DockerHost extends pulumi.ComponentResource {
  readonly docker: docker.Provider;
  /** Where users reach published ports: localhost, or the instance's public IP. */
  readonly address: pulumi.Output<string>;
  /** Absolute directory on the host under which lab bind mounts live. */
  readonly dataDir: string;
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
      this.address = address;
      this.dataDir = HOST_DATA_DIR;
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
      this.docker = new docker.Provider(`${name}-docker`, { host: args.local.dockerHost }, { parent: this });
      this.address = pulumi.output("localhost");
      this.dataDir = args.local.dataDir;
    }
    this.registerOutputs({ address: this.address, dataDir: this.dataDir });
  }

  /** Runs a shell command on the Docker host, again whenever a trigger changes. */
  command(name: string, args: HostCommandArgs, parent: pulumi.Resource): command.local.Command | command.remote.Command {
    const dependsOn = args.dependsOn ?? [];
    if (this.ec2) {
      return new command.remote.Command(
        name,
        { connection: this.ec2.connection, create: args.create, stdin: args.stdin, triggers: args.triggers },
        { parent, dependsOn: [this.ec2.dockerReady, ...dependsOn] },
      );
    }
    return new command.local.Command(
      name,
      { create: args.create, stdin: args.stdin, triggers: args.triggers, interpreter: ["/bin/sh", "-c"] },
      { parent, dependsOn },
    );
  }

  /**
   * A directory under the host's data dir that containers running as uid 1000
   * (the images' `node` user) can write; returns its absolute path and the
   * command that made it, for dependsOn.
   */
  directory(name: string, relative: string, parent: pulumi.Resource): { path: string; ready: pulumi.Resource } {
    const absolute = path.posix.join(this.dataDir, relative);
    // On EC2 the dir is chowned to 1000; a laptop has no sudo to spare, so it is made group- and world-writable.
    const create = this.ec2
      ? `sudo install -d -m 0755 -o 1000 -g 1000 ${shellQuote(absolute)}`
      : `mkdir -p ${shellQuote(absolute)} && chmod 0777 ${shellQuote(absolute)}`;
    const ready = this.command(name, { create, triggers: [absolute] }, parent);
    return { path: absolute, ready };
  }
}
