import * as path from "node:path";
import type * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DOCKER_TLS_PORT } from "../../../policy/lib/network";
import { buildsOn } from "../builder";
import { CONTAINER_UID, DOCKER_HOST_TYPE, type DockerHost, type HostCommandArgs, type ImageBuilder, type SwarmShape } from "../host";
import { onMachine } from "../onMachine";
import { Network } from "../network";
import type { Registry } from "../registry";
import { shellQuote } from "../shell";
import { AWS_CREDENTIALS_NETWORK } from "./awsCredentials";
import { HOST_DATA_DIR, REMOTE_DOCKER_SOCKET, TLS_INSTALLER } from "./hostFiles";
import { RemoteCommand, type SshConnectionArgs } from "./remoteCommand";
import { Swarm, type SwarmEndpointMode } from "./swarm";
import { dockerServerCertificate, dockerTlsCredentials, type Certificate, type CertificateNames } from "./tlsCredentials";

/** What a remote target makes: a Linux machine that is a Docker host, reached over SSH with a pinned host key. */
export interface RemoteMachine {
  /** SSH as the login user (passwordless sudo), checking the host key the target pinned. */
  connection: SshConnectionArgs;
  /** Where the Docker provider and the users reach the host: an IP address or a DNS name. */
  address: pulumi.Output<string>;
  /** The names the Docker server certificate is issued for. */
  certificateNames: CertificateNames;
  /** Done once Docker is installed and hardened (EC2: cloud-init's readiness gate; ssh: the bootstrap). */
  ready: pulumi.Resource;
  /** Changes when the machine is a new one (an instance ID, a host key): the TLS keys are installed again, and all the stack made on it is made again (onMachine). */
  identity: pulumi.Input<string>;
  /** Who may reach the published lab ports, for the policy pack's label: the security group, the user's own firewall. */
  exposure: string;
  /** The cloud role containers may act as (ec2); its credentials reach one Docker network only. */
  instanceRole?: aws.iam.Role;
  /** Where the other machines of a swarm reach it: `address` unless given (EC2: its private IP, inside the VPC). */
  peerAddress?: pulumi.Input<string>;
}

/**
 * The machines of a remote host: one, or several that form a Docker Swarm,
 * the first its founder (the Docker provider's engine, and the stateful
 * node).
 */
export interface RemoteMachines {
  first: RemoteMachine;
  /** The others, each with a key that names its resources (stable while it stays: its address as configured, its number). */
  members: Array<{ key: string; machine: RemoteMachine }>;
}

export interface RemoteHostArgs {
  /** This machine's engine: it builds the images, which are pushed to the registry and pulled by the host. */
  buildEngine: string;
  registry: Registry;
  /** buildx platform of the host's CPU; unset: the build machine's own. */
  buildPlatform?: string;
  /** Makes the machines, their resources children of the host. */
  machines: (parent: pulumi.Resource) => RemoteMachines;
  /** How the services of a swarm are reached (several machines). */
  endpointMode: SwarmEndpointMode;
}

/**
 * The part every remote target shares: from a machine reached over SSH, a
 * Docker host. Its engine listens on 2376 with mutual TLS (a generated CA,
 * the server's keys sent over the pinned SSH session), the Docker provider
 * talks to it with the client certificate and pulls with the registry's
 * pull credential only; commands run over SSH; lab data lives under
 * HOST_DATA_DIR.
 */
export class RemoteHost extends pulumi.ComponentResource implements DockerHost {
  readonly docker: docker.Provider;
  readonly builder: ImageBuilder;
  readonly address: pulumi.Output<string>;
  /** Every interface: the security group, or the user's firewall, limits who reaches the ports (exposure). */
  readonly publishAddress = "0.0.0.0";
  readonly exposure: string;
  readonly dataDir = HOST_DATA_DIR;
  readonly socketPath = REMOTE_DOCKER_SOCKET;
  readonly buildPlatform?: string;
  readonly instanceRole?: aws.iam.Role;
  readonly awsCredentialsNetwork?: Network;
  readonly ssh: SshConnectionArgs;
  readonly machineIdentity: pulumi.Input<string>;
  readonly swarm?: SwarmShape;
  /** Done once dockerd listens with TLS: everything on the host waits for it. */
  private readonly dockerReady: RemoteCommand;

  constructor(name: string, args: RemoteHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DOCKER_HOST_TYPE, name, {}, opts);
    const machines = args.machines(this);
    const machine = machines.first;
    this.ssh = machine.connection;
    this.machineIdentity = machine.identity;
    this.address = machine.address;
    this.exposure = machine.exposure;
    this.buildPlatform = args.buildPlatform;
    this.builder = buildsOn(name, args.buildEngine, this);

    const credentials = dockerTlsCredentials(name, machine.certificateNames, this);
    this.dockerReady = this.installDockerTls(name, machine, credentials.ca, credentials.server);
    this.docker = new docker.Provider(
      `${name}-docker`,
      {
        host: pulumi.interpolate`tcp://${machine.address}:${DOCKER_TLS_PORT}`,
        caMaterial: credentials.ca.certPem,
        certMaterial: credentials.client.certPem,
        keyMaterial: credentials.client.keyPem,
        registryAuth: args.registry.pullCredentials,
      },
      { parent: this, dependsOn: [this.dockerReady] },
    );
    if (machine.instanceRole) {
      this.instanceRole = machine.instanceRole;
      this.awsCredentialsNetwork = new Network(
        `${name}-aws-credentials`,
        { lab: "platform", networkName: AWS_CREDENTIALS_NETWORK.name, bridgeName: AWS_CREDENTIALS_NETWORK.bridge, defaultRoute: true, provider: this.docker, machineIdentity: this.machineIdentity },
        { parent: this },
      );
    }
    if (machines.members.length > 0) {
      const members = machines.members.map(({ key, machine: member }) => {
        const memberName = `${name}-${key}`;
        const server = dockerServerCertificate(memberName, credentials.ca, member.certificateNames, this);
        return { key, connection: member.connection, address: member.peerAddress ?? member.address, ready: this.installDockerTls(memberName, member, credentials.ca, server) };
      });
      this.swarm = new Swarm(
        `${name}-swarm`,
        { founder: { connection: machine.connection, address: machine.peerAddress ?? machine.address, ready: this.dockerReady }, members, endpointMode: args.endpointMode },
        { parent: this },
      );
    }
    this.registerOutputs({ address: this.address, dataDir: this.dataDir });
  }

  /** Docker's TLS keys installed on a machine (`<name>-docker-tls`), again on a new machine or certificate: dockerd then listens on 2376. */
  private installDockerTls(name: string, machine: RemoteMachine, ca: Certificate, server: Certificate): RemoteCommand {
    return new RemoteCommand(
      `${name}-docker-tls`,
      {
        connection: machine.connection,
        create: `sudo ${TLS_INSTALLER}`,
        stdin: pulumi.secret(pulumi.interpolate`${ca.certPem}${server.certPem}${server.keyPem}`),
        triggers: [machine.identity, server.certPem],
      },
      { parent: this, dependsOn: [machine.ready] },
    );
  }

  command(name: string, args: HostCommandArgs, parent: pulumi.Resource): RemoteCommand {
    return new RemoteCommand(
      name,
      { connection: this.ssh, create: args.create, stdin: args.stdin, triggers: args.triggers },
      { parent, dependsOn: [this.dockerReady, ...(args.dependsOn ?? [])], ...onMachine(this.machineIdentity) },
    );
  }

  /** Made by root, handed to CONTAINER_UID: no image needed. */
  directory(name: string, relative: string, _image: pulumi.Input<string>, parent: pulumi.Resource): { path: string; ready: pulumi.Resource } {
    const absolute = path.posix.join(this.dataDir, relative);
    const create = `sudo install -d -m 0750 -o ${CONTAINER_UID} -g ${CONTAINER_UID} ${shellQuote(absolute)}`;
    return { path: absolute, ready: this.command(name, { create, triggers: [absolute] }, parent) };
  }
}
