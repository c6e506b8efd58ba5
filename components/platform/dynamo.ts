import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { THIRD_PARTY_IMAGES } from "./images";
import type { Network } from "./network";
import type { Platform } from "./platform";
import { Service } from "./service";
import { Volume } from "./volume";

/** Where the labs' DynamoDB tables live, and how containers reach them. */
export interface DynamoBackend {
  /** The provider tables are created with; undefined: the stack's default AWS provider. */
  provider?: aws.Provider;
  /** The endpoint containers use (DynamoDB Local by name); undefined: the region's DynamoDB. */
  containerEndpoint?: string;
  /** Point-in-time recovery and KMS encryption exist only in the real service. */
  managedFeatures: boolean;
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

/**
 * Locally: a pinned DynamoDB Local container with its data on a named volume,
 * on the lab's network, and an AWS provider pointed at it from this machine.
 */
export function dynamoDbLocal(name: string, platform: Platform, network: Network, region: string, parent: pulumi.Resource): DynamoBackend {
  const engine = platform.engine;
  const image = platform.pull(name, THIRD_PARTY_IMAGES.dynamodbLocal, parent);
  const data = new Volume(`${name}-data`, { lab: "platform", volumeName: "dynamodb-local-data", keep: { holds: "data", onDestroy: "retain" }, provider: engine.docker }, { parent });
  const service = new Service(`${name}`, {
    lab: "platform",
    service: DYNAMODB_LOCAL_ALIAS,
    containerName: DYNAMODB_LOCAL_ALIAS,
    image: image.imageId,
    command: ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "/home/dynamodblocal/data"],
    // The image's user cannot write a fresh named volume's root-owned mount; this container never leaves the laptop.
    user: "root",
    networks: [network],
    mounts: [{ source: data, target: "/home/dynamodblocal/data" }],
    ports: [{ container: LOCAL_PORT, host: DYNAMODB_LOCAL_HOST_PORT, hostIp: "127.0.0.1" }],
    engine,
  }, { parent });
  const provider = new aws.Provider(
    `${name}-provider`,
    {
      region: region as aws.Region,
      accessKey: "local",
      secretKey: "local",
      endpoints: [{ dynamodb: `http://localhost:${engine.hostPort(DYNAMODB_LOCAL_HOST_PORT)}` }],
      skipCredentialsValidation: true,
      skipMetadataApiCheck: true,
      skipRegionValidation: true,
      skipRequestingAccountId: true,
    },
    { parent, dependsOn: service.containers },
  );
  return {
    provider,
    containerEndpoint: `http://${DYNAMODB_LOCAL_ALIAS}:${LOCAL_PORT}`,
    managedFeatures: false,
    grant: () => undefined,
    clientNetworks: [],
  };
}

/** On EC2: the region's DynamoDB, reached with the instance role's credentials, which only `credentialsNetwork` may obtain. */
export function dynamoDbService(role: aws.iam.Role, credentialsNetwork: Network): DynamoBackend {
  return {
    managedFeatures: true,
    clientNetworks: [credentialsNetwork],
    grant(name, policy, parent) {
      new aws.iam.RolePolicy(name, { role: role.name, policy }, { parent });
    },
  };
}
