import type * as Aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../awsSdk";
import * as tls from "@pulumi/tls";
import { DOCKER_TLS_PORT, SSH_PORT } from "../../../policy/lib/network";
import { METADATA_HOP_LIMIT } from "../remote/awsCredentials";
import { RemoteCommand, type SshConnectionArgs } from "../remote/remoteCommand";
import type { RemoteMachine, RemoteMachines } from "../remote/remoteHost";
import type { SwarmEndpointMode } from "../remote/swarm";
import { cloudInit, ec2File, LOGIN_USER, type RegistryCa } from "./cloudInit";
import { attachDataVolume, createDataVolume, DATA_VOLUME_GB } from "./dataVolume";
import { gzipUserData } from "./userData";

/** target ec2: an instance that cloud-init turns into a Docker host. */
export interface Ec2Settings {
  instanceType: string;
  /** Who may reach the lab ports and the Docker TLS port: one or more ranges, none wider than /16. */
  allowedCidrs: string[];
  /** Who may reach SSH; defaults to allowedCidrs. */
  sshCidrs: string[];
  rootVolumeGb: number;
  /** Instances: one, or several that form a Docker Swarm. */
  hostCount: number;
  /** How the services of a swarm are reached (swarmEndpointMode). */
  endpointMode: SwarmEndpointMode;
}

/** Canonical's account, the publisher of Ubuntu's official AMIs. */
const CANONICAL = "099720109477";
/** IAM path of the host's role and instance profile: the deploy role may manage IAM under this path only (.github/SECRETS.md). */
export const IAM_PATH = "/container-labs/";

/** Graviton instance families (t4g, m7g, c8gd...) are arm64; the rest are x86-64. */
export function cpuArchitecture(instanceType: string): "arm64" | "amd64" {
  const family = instanceType.split(".")[0] ?? "";
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "amd64";
}

export interface Ec2MachineArgs {
  settings: Ec2Settings;
  /** Host ports the enabled labs publish: opened to allowedCidrs only. */
  labPorts: number[];
  /** The CA of a private registry the host pulls from, if its certificate needs one. */
  registryCa?: RegistryCa;
}

function ingress(port: number, cidrs: string[], description: string): Aws.types.input.ec2.SecurityGroupIngress {
  return { protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: cidrs, description };
}

/** A swarm's ports (Docker's "Use overlay networks": cluster management, node gossip, VXLAN), from the group's own members only. */
const SWARM_PORTS: Array<{ protocol: "tcp" | "udp"; port: number; description: string }> = [
  { protocol: "tcp", port: 2377, description: "swarm: cluster management, between the hosts only" },
  { protocol: "tcp", port: 7946, description: "swarm: node communication, between the hosts only" },
  { protocol: "udp", port: 7946, description: "swarm: node communication, between the hosts only" },
  { protocol: "udp", port: 4789, description: "swarm: overlay network traffic (VXLAN), between the hosts only" },
];

/**
 * The AWS resources that make the ec2 target's machines: Ubuntu 24.04
 * instances (ec2HostCount) with IMDSv2, an encrypted gp3 root volume, lab
 * data on a separate encrypted volume that outlives the instance, an
 * Elastic IP and a generated SSH host key each, and the gate that waits for
 * cloud-init; one instance role, one SSH client key and one security group
 * for all, whose ports are open only to the configured networks (a swarm's
 * ports only between its members). The first instance keeps the names a
 * single host has; the others are numbered from 2. The rest is every remote
 * host's (remote/remoteHost.ts).
 */
export function ec2Machines(name: string, args: Ec2MachineArgs, parent: pulumi.Resource): RemoteMachines {
  const { settings } = args;
  const swarm = settings.hostCount > 1;
  const arch = cpuArchitecture(settings.instanceType);
  const ami = aws.ec2.getAmiOutput(
    {
      owners: [CANONICAL],
      mostRecent: true,
      filters: [
        { name: "name", values: [`ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-${arch}-server-*`] },
        { name: "virtualization-type", values: ["hvm"] },
      ],
    },
    { parent },
  );

  const sshKey = new tls.PrivateKey(`${name}-ssh-key`, { algorithm: "ED25519" }, { parent });
  const keyPair = new aws.ec2.KeyPair(`${name}-key-pair`, { publicKey: sshKey.publicKeyOpenssh }, { parent });

  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    {
      description: "container-labs Docker host: SSH, Docker TLS and lab ports from the configured networks only",
      ingress: [
        ingress(SSH_PORT, settings.sshCidrs, "SSH"),
        ingress(DOCKER_TLS_PORT, settings.allowedCidrs, "Docker Engine API, mutual TLS"),
        ...[...new Set(args.labPorts)].sort((a, b) => a - b).map((port) => ingress(port, settings.allowedCidrs, `lab port ${port}`)),
        ...(swarm ? SWARM_PORTS.map(({ protocol, port, description }) => ({ protocol, fromPort: port, toPort: port, self: true, description })) : []),
      ],
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "image pulls, apt, AWS APIs" }],
    },
    { parent },
  );

  const role = new aws.iam.Role(
    `${name}-role`,
    {
      path: IAM_PATH,
      description: "container-labs Docker host; labs attach only the access their containers need",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    },
    { parent },
  );
  const profile = new aws.iam.InstanceProfile(`${name}-profile`, { path: IAM_PATH, role: role.name }, { parent });

  const shared = { ami: ami.id, keyName: keyPair.keyName, securityGroupId: securityGroup.id, profileName: profile.name, sshPrivateKey: sshKey.privateKeyOpenssh, role };
  const instances = Array.from({ length: settings.hostCount }, (_, index) => ec2Instance(index === 0 ? name : `${name}-${index + 1}`, { ...args, ...shared, swarm }, parent));
  return { first: instances[0], members: instances.slice(1).map((machine, index) => ({ key: String(index + 2), machine })) };
}

interface Ec2InstanceArgs extends Ec2MachineArgs {
  ami: pulumi.Input<string>;
  keyName: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  profileName: pulumi.Input<string>;
  sshPrivateKey: pulumi.Input<string>;
  role: Aws.iam.Role;
  /** One of several instances that form a swarm. */
  swarm: boolean;
}

/** One instance of the ec2 target, named `name`, with its data volume, Elastic IP, host key and cloud-init gate. */
function ec2Instance(name: string, args: Ec2InstanceArgs, parent: pulumi.Resource): RemoteMachine {
  const { settings } = args;
  // The host's own key: installed by cloud-init, checked by every SSH session (connection.hostKey below).
  const hostKey = new tls.PrivateKey(`${name}-ssh-host-key`, { algorithm: "ED25519" }, { parent });

  const dataVolume = createDataVolume(name, { instanceType: settings.instanceType, sizeGb: DATA_VOLUME_GB }, parent);

  const instance = new aws.ec2.Instance(
    `${name}-instance`,
    {
      ami: args.ami,
      instanceType: settings.instanceType,
      // Where the data volume is: a volume attaches only within its zone.
      availabilityZone: dataVolume.availabilityZone,
      keyName: args.keyName,
      vpcSecurityGroupIds: [args.securityGroupId],
      iamInstanceProfile: args.profileName,
      // Holds the SSH host's private key: a secret in state (AWS shows it to whoever may describe the instance).
      // Gzipped, as cloud-init reads it: the scripts and units take most of EC2's 16 KB as plain text.
      userDataBase64: pulumi.secret(cloudInit({ dataVolumeId: dataVolume.id, hostKey, registryCa: args.registryCa, swarm: args.swarm }).apply(gzipUserData)),
      // A changed script gets a fresh instance; lab data is on the data volume, which stays.
      userDataReplaceOnChange: true,
      // IMDSv2 only. Hop limit 2 lets a container (one hop further) reach the metadata
      // service at all; the host's firewall lets only the aws-credentials network do so.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: METADATA_HOP_LIMIT, httpProtocolIpv6: "disabled" },
      // The root volume holds the OS, images and containers, all rebuilt by `pulumi up`; no lab data.
      rootBlockDevice: { volumeType: "gp3", volumeSize: settings.rootVolumeGb, encrypted: true, deleteOnTermination: true },
      tags: { Name: `${name}`, "container-labs:managed-by": "pulumi" },
    },
    // A newer Ubuntu AMI must not replace a running lab host; rebuild it on purpose with --replace.
    { parent, ignoreChanges: ["ami"] },
  );
  const attachment = attachDataVolume(name, dataVolume, instance, parent);
  // Moves to a replacement instance, so the address (and the server certificate made for it) stays.
  const elasticIp = new aws.ec2.Eip(
    `${name}-ip`,
    { domain: "vpc", instance: instance.id, tags: { Name: `${name}`, "container-labs:managed-by": "pulumi" } },
    { parent },
  );

  const connection: SshConnectionArgs = {
    host: elasticIp.publicIp,
    port: SSH_PORT,
    user: LOGIN_USER,
    privateKey: args.sshPrivateKey,
    // Only the key cloud-init installed: a machine in the middle cannot take the session (or the TLS keys sent over it).
    hostKey: hostKey.publicKeyOpenssh,
  };
  const cloudInitDone = new RemoteCommand(
    `${name}-wait-for-docker`,
    // sshd is not up right after boot: the gate keeps dialling for 15 minutes.
    { connection: { ...connection, dialTimeoutSeconds: 900 }, create: ec2File("wait-for-docker.sh"), triggers: [instance.id] },
    // The address must point at this instance, with its data volume attached, before the gate dials.
    { parent, dependsOn: [elasticIp, attachment] },
  );

  return {
    connection,
    address: elasticIp.publicIp,
    certificateNames: { ipAddresses: [elasticIp.publicIp], dnsNames: [elasticIp.publicDns] },
    ready: cloudInitDone,
    identity: instance.id,
    exposure: "security-group",
    instanceRole: args.role,
    // Inside the VPC, where the security group lets the members reach each other.
    peerAddress: instance.privateIp,
  };
}
