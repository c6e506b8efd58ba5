import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { gzipUserData } from "./userData";
import * as tls from "@pulumi/tls";
import type { Ec2Settings } from "../../../config";
import { cloudInit, hostFile, LOGIN_USER, TLS_INSTALLER } from "./cloudInit";
import { METADATA_HOP_LIMIT } from "./awsCredentials";
import { attachDataVolume, createDataVolume, DATA_VOLUME_GB } from "./dataVolume";
import { DOCKER_TLS_PORT, SSH_PORT } from "../../../policy/lib/network";
import { dockerTlsCredentials, type DockerTlsCredentials } from "./tlsCredentials";

/** Canonical's account, the publisher of Ubuntu's official AMIs. */
const CANONICAL = "099720109477";
// The ports the policy pack guards (no wider than a /16 may reach them), named once for both.
export { DOCKER_TLS_PORT } from "../../../policy/lib/network";
/** IAM path of the host's role and instance profile: the deploy role may manage IAM under this path only (.github/SECRETS.md). */
export const IAM_PATH = "/container-labs/";

/** Graviton instance families (t4g, m7g, c8gd...) are arm64; the rest are x86-64. */
export function cpuArchitecture(instanceType: string): "arm64" | "amd64" {
  const family = instanceType.split(".")[0] ?? "";
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "amd64";
}

export interface Ec2HostArgs {
  settings: Ec2Settings;
  /** Host ports the enabled labs publish: opened to allowedCidrs only. */
  labPorts: number[];
}

export interface Ec2Host {
  instance: aws.ec2.Instance;
  /** The host's address: an Elastic IP, kept across stop/start and instance replacement. */
  address: pulumi.Output<string>;
  role: aws.iam.Role;
  connection: command.types.input.remote.ConnectionArgs;
  tls: DockerTlsCredentials;
  /** Done once dockerd listens with TLS: the Docker provider depends on it. */
  dockerReady: command.remote.Command;
}

function ingress(port: number, cidrs: string[], description: string): aws.types.input.ec2.SecurityGroupIngress {
  return { protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: cidrs, description };
}

/**
 * The EC2 side of a Docker host: an Ubuntu 24.04 instance with IMDSv2, an
 * encrypted gp3 root volume, lab data on a separate encrypted volume that
 * outlives the instance, an Elastic IP, an instance role, generated SSH
 * client and host keys, ports open only to the configured networks, and the
 * gates that wait for Docker.
 */
export function createEc2Host(name: string, args: Ec2HostArgs, parent: pulumi.Resource): Ec2Host {
  const { settings } = args;
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
  // The host's own key: installed by cloud-init, checked by every SSH session (connection.hostKey below).
  const hostKey = new tls.PrivateKey(`${name}-ssh-host-key`, { algorithm: "ED25519" }, { parent });

  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    {
      description: "container-labs Docker host: SSH, Docker TLS and lab ports from the configured networks only",
      ingress: [
        ingress(SSH_PORT, settings.sshCidrs, "SSH"),
        ingress(DOCKER_TLS_PORT, settings.allowedCidrs, "Docker Engine API, mutual TLS"),
        ...[...new Set(args.labPorts)].sort((a, b) => a - b).map((port) => ingress(port, settings.allowedCidrs, `lab port ${port}`)),
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

  const dataVolume = createDataVolume(name, { instanceType: settings.instanceType, sizeGb: DATA_VOLUME_GB }, parent);

  const instance = new aws.ec2.Instance(
    `${name}-instance`,
    {
      ami: ami.id,
      instanceType: settings.instanceType,
      // Where the data volume is: a volume attaches only within its zone.
      availabilityZone: dataVolume.availabilityZone,
      keyName: keyPair.keyName,
      vpcSecurityGroupIds: [securityGroup.id],
      iamInstanceProfile: profile.name,
      // Holds the SSH host's private key: a secret in state (AWS shows it to whoever may describe the instance).
      // Gzipped, as cloud-init reads it: the scripts and units take most of EC2's 16 KB as plain text.
      userDataBase64: pulumi.secret(cloudInit({ dataVolumeId: dataVolume.id, hostKey }).apply(gzipUserData)),
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

  const connection: command.types.input.remote.ConnectionArgs = {
    host: elasticIp.publicIp,
    user: LOGIN_USER,
    privateKey: sshKey.privateKeyOpenssh,
    // Only the key cloud-init installed: a machine in the middle cannot take the session (or the TLS keys sent over it).
    hostKey: hostKey.publicKeyOpenssh,
    // sshd is not up right after boot; keep dialling until the create timeout.
    dialErrorLimit: -1,
    perDialTimeout: 10,
  };
  const cloudInitDone = new command.remote.Command(
    `${name}-wait-for-docker`,
    { connection, create: hostFile("wait-for-docker.sh"), triggers: [instance.id] },
    // The address must point at this instance, with its data volume attached, before the gate dials.
    { parent, dependsOn: [elasticIp, attachment], customTimeouts: { create: "15m" } },
  );

  const credentials = dockerTlsCredentials(name, { ip: elasticIp.publicIp, dnsName: elasticIp.publicDns }, parent);
  const dockerReady = new command.remote.Command(
    `${name}-docker-tls`,
    {
      connection,
      create: `sudo ${TLS_INSTALLER}`,
      stdin: pulumi.secret(pulumi.interpolate`${credentials.ca.certPem}${credentials.server.certPem}${credentials.server.keyPem}`),
      triggers: [instance.id, credentials.server.certPem],
    },
    { parent, dependsOn: [cloudInitDone], customTimeouts: { create: "5m" } },
  );

  return { instance, address: elasticIp.publicIp, role, connection, tls: credentials, dockerReady };
}
