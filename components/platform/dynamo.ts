import type * as Aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "./awsSdk";
import type { DockerHost } from "./host";
import type { Image } from "./image";
import type { ExternalImage } from "./images";
import { LocalDynamoTable } from "./localDynamoTable";
import type { Network } from "./network";
import type { SshEndpoint } from "./remote/remoteCommand";
import { Service } from "./service";
import type { Engine } from "./serviceArgs";
import type { PlatformVolume } from "./stackNames";
import type { Keep, Volume } from "./volume";
import { volumeOwnerCommand } from "./volumeOwner";

export interface TableSpec {
  name: string;
  /** The string hash key. */
  hashKey: string;
}

export type Billing = "on-demand" | "provisioned";

/** As the course's CloudFormation template had them. */
export const PROVISIONED_CAPACITY = 5;

export interface Table {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
}

/** Where the labs' DynamoDB tables live, and how containers reach them. */
export interface DynamoBackend {
  /** Makes one table with the project's defaults. */
  table(name: string, spec: TableSpec, billing: Billing, parent: pulumi.Resource): Table;
  /** The endpoint containers use (DynamoDB Local by name); undefined: the region's DynamoDB. */
  containerEndpoint?: string;
  /** Gives the host's containers a policy (the instance role on EC2); nothing to grant locally. */
  grant(name: string, policy: pulumi.Input<string>, parent: pulumi.Resource): void;
  /** Networks the container that calls DynamoDB joins besides its lab's: on EC2, the only one that reaches the role's credentials. */
  clientNetworks: Network[];
}

/** DynamoDB Local's port inside its container, and where it is published on the host's loopback. */
const LOCAL_PORT = 8000;
/** Not 8000: that is dockercoins' webui on the same engine. */
export const DYNAMODB_LOCAL_HOST_PORT = 18000;
export const DYNAMODB_LOCAL_ALIAS = "dynamodb-local";
const DATA_PATH = "/home/dynamodblocal/data";
/** The image's own user: the data volume is handed to it once, so the server never runs as root. */
const DYNAMODB_LOCAL_USER = "dynamodblocal";

/** What DynamoDB Local needs of the platform (Platform has it): its image, its volume, the engine, the host's SSH endpoint and the region. */
export interface DynamoLocalPlatform {
  readonly engine: Engine;
  readonly host: Pick<DockerHost, "ssh">;
  readonly awsRegion: string;
  pull(name: string, image: ExternalImage, parent: pulumi.Resource): Image;
  volume(name: string, args: { lab: string; volume: PlatformVolume; keep: Keep }, parent: pulumi.Resource): Volume;
}

/**
 * Locally: a pinned DynamoDB Local container with its data on a named volume,
 * on the lab's network, published on the host's loopback only, and tables
 * made in it from this machine without any AWS provider (through SSH when
 * the host is remote).
 */
export function dynamoDbLocal(name: string, platform: DynamoLocalPlatform, network: Network, parent: pulumi.Resource): DynamoBackend {
  const engine = platform.engine;
  const image = platform.pull(name, "dynamodb-local", parent);
  const data = platform.volume(`${name}-data`, { lab: "platform", volume: "dynamodb-local-data", keep: { holds: "data", onDestroy: "retain" } }, parent);
  const mounts = [{ source: data, target: DATA_PATH }];
  // A fresh named volume is root's; the server runs as the image's user, so a short-lived root container hands the volume to it.
  const dataOwner = engine.command(`${name}-data-owner`, {
    create: pulumi.all([image.imageId, data.name]).apply(([imageId, volume]) =>
      volumeOwnerCommand({ lab: "platform", image: imageId, volume: `${volume}:${DATA_PATH}`, owner: `${DYNAMODB_LOCAL_USER}:`, path: DATA_PATH })),
    triggers: [image.imageId, data.name],
  }, parent);
  const service = new Service(`${name}`, {
    lab: "platform",
    service: DYNAMODB_LOCAL_ALIAS,
    containerName: DYNAMODB_LOCAL_ALIAS,
    image,
    command: ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", DATA_PATH],
    networks: [network],
    mounts,
    ports: [{ container: LOCAL_PORT, host: DYNAMODB_LOCAL_HOST_PORT, hostIp: "127.0.0.1" }],
    // Not measured here: the tests' stand-in is dynalite on Node, not the real
    // image's JVM (it idles at 20 MiB), so what the real one needs is unknown on
    // this machine; the JVM's default heap is a quarter of the limit, 192 MiB at 768.
    limits: { memoryMb: 768 },
    writableRoot: "DynamoDB Local (Java) writes its own temporary files",
    engine,
  }, { parent, dependsOn: [dataOwner] });
  const endpoint = `http://localhost:${engine.hostPort(DYNAMODB_LOCAL_HOST_PORT)}`;
  // On a remote host that port is on the host's loopback: the tables are made through an SSH session to it.
  const { privateKey, ...sshEndpoint } = platform.host.ssh ?? {};
  const ssh = platform.host.ssh ? { ssh: pulumi.output(sshEndpoint) as pulumi.Output<SshEndpoint>, sshPrivateKey: privateKey } : {};
  return {
    table(tableName, spec, billing, tableParent) {
      const table = new LocalDynamoTable(
        tableName,
        { endpoint, ...ssh, region: platform.awsRegion, tableName: spec.name, hashKey: spec.hashKey, billing, capacity: PROVISIONED_CAPACITY },
        { parent: tableParent, dependsOn: service.ready },
      );
      return { name: table.tableName, arn: table.arn };
    },
    containerEndpoint: `http://${DYNAMODB_LOCAL_ALIAS}:${LOCAL_PORT}`,
    grant: () => undefined,
    clientNetworks: [],
  };
}

/**
 * On EC2: the region's DynamoDB, with point-in-time recovery and server-side
 * encryption, reached with the instance role's credentials, which only
 * containers on `credentialsNetwork` may obtain.
 */
export function dynamoDbService(role: Aws.iam.Role, credentialsNetwork: Network): DynamoBackend {
  return {
    clientNetworks: [credentialsNetwork],
    table(tableName, spec, billing, parent) {
      const provisioned = billing === "provisioned";
      const table = new aws.dynamodb.Table(
        tableName,
        {
          name: spec.name,
          hashKey: spec.hashKey,
          attributes: [{ name: spec.hashKey, type: "S" }],
          billingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
          readCapacity: provisioned ? PROVISIONED_CAPACITY : undefined,
          writeCapacity: provisioned ? PROVISIONED_CAPACITY : undefined,
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true },
        },
        { parent },
      );
      return { name: table.name, arn: table.arn };
    },
    grant(name, policy, parent) {
      new aws.iam.RolePolicy(name, { role: role.name, policy }, { parent });
    },
  };
}
