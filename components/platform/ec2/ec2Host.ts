import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { Ec2Settings } from "../../../config";
import { cloudInit, hostFile, LOGIN_USER, TLS_INSTALLER } from "./cloudInit";
import { dockerTlsCredentials, type DockerTlsCredentials } from "./tlsCredentials";

/** Canonical's account, the publisher of Ubuntu's official AMIs. */
const CANONICAL = "099720109477";
export const DOCKER_TLS_PORT = 2376;

/** Graviton instance families (t4g, m7g, c8gd...) are arm64; the rest are x86-64. */
export function cpuArchitecture(instanceType: string): "arm64" | "amd64" {
  const family = instanceType.split(".")[0] ?? "";
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "amd64";
}

export interface Ec2HostArgs {
  settings: Ec2Settings;
  /** Host ports the enabled labs publish: opened to allowedCidr only. */
  labPorts: number[];
}

export interface Ec2Host {
  instance: aws.ec2.Instance;
  role: aws.iam.Role;
  connection: command.types.input.remote.ConnectionArgs;
  tls: DockerTlsCredentials;
  /** Done once dockerd listens with TLS: the Docker provider depends on it. */
  dockerReady: command.remote.Command;
}

function ingress(port: number, cidr: string, description: string): aws.types.input.ec2.SecurityGroupIngress {
  return { protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: [cidr], description };
}

/**
 * The EC2 side of a Docker host: an Ubuntu 24.04 instance with IMDSv2, an
 * encrypted gp3 root volume, an instance role, a generated SSH key, ports open
 * only to the configured networks, and the gates that wait for Docker.
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

  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    {
      description: "container-labs Docker host: SSH, Docker TLS and lab ports from the configured networks only",
      ingress: [
        ingress(22, settings.sshCidr, "SSH"),
        ingress(DOCKER_TLS_PORT, settings.allowedCidr, "Docker Engine API, mutual TLS"),
        ...[...new Set(args.labPorts)].sort((a, b) => a - b).map((port) => ingress(port, settings.allowedCidr, `lab port ${port}`)),
      ],
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "image pulls, apt, AWS APIs" }],
    },
    { parent },
  );

  const role = new aws.iam.Role(
    `${name}-role`,
    {
      description: "container-labs Docker host; labs attach only the access their containers need",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    },
    { parent },
  );
  const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name }, { parent });

  const instance = new aws.ec2.Instance(
    `${name}-instance`,
    {
      ami: ami.id,
      instanceType: settings.instanceType,
      keyName: keyPair.keyName,
      vpcSecurityGroupIds: [securityGroup.id],
      iamInstanceProfile: profile.name,
      userData: cloudInit(),
      userDataReplaceOnChange: true,
      // IMDSv2 only; hop limit 2 so containers (one hop further) can still get the role's credentials.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
      rootBlockDevice: { volumeType: "gp3", volumeSize: settings.rootVolumeGb, encrypted: true, deleteOnTermination: true },
      tags: { Name: `${name}`, "container-labs:managed-by": "pulumi" },
    },
    // A newer Ubuntu AMI must not replace a running lab host; rebuild it on purpose with --replace.
    { parent, ignoreChanges: ["ami"] },
  );

  const connection: command.types.input.remote.ConnectionArgs = {
    host: instance.publicIp,
    user: LOGIN_USER,
    privateKey: sshKey.privateKeyOpenssh,
    // sshd is not up right after boot; keep dialling until the create timeout.
    dialErrorLimit: -1,
    perDialTimeout: 10,
  };
  const cloudInitDone = new command.remote.Command(
    `${name}-wait-for-docker`,
    { connection, create: hostFile("wait-for-docker.sh"), triggers: [instance.id] },
    { parent, customTimeouts: { create: "15m" } },
  );

  const credentials = dockerTlsCredentials(name, { ip: instance.publicIp, dnsName: instance.publicDns }, parent);
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

  return { instance, role, connection, tls: credentials, dockerReady };
}
