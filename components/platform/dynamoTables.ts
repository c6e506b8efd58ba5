import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DynamoBackend } from "./dynamo";

export interface TableSpec {
  name: string;
  /** The string hash key. */
  hashKey: string;
}

export interface DynamoTablesArgs {
  tables: TableSpec[];
  billing: "on-demand" | "provisioned";
  backend: DynamoBackend;
}

/** As the course's CloudFormation template had them. */
const PROVISIONED_CAPACITY = 5;

/**
 * DynamoDB tables with the project's defaults: on-demand billing unless
 * provisioned 5/5 is asked for, point-in-time recovery and server-side
 * encryption wherever the backend has them.
 */
export class DynamoTables extends pulumi.ComponentResource {
  readonly names: pulumi.Output<string[]>;
  readonly arns: pulumi.Output<string[]>;

  constructor(name: string, args: DynamoTablesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:DynamoTables", name, {}, opts);
    const provisioned = args.billing === "provisioned";
    const managed = args.backend.managedFeatures;
    const tables = args.tables.map((spec) => new aws.dynamodb.Table(
      `${name}-${spec.name}`,
      {
        name: spec.name,
        hashKey: spec.hashKey,
        attributes: [{ name: spec.hashKey, type: "S" }],
        billingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
        readCapacity: provisioned ? PROVISIONED_CAPACITY : undefined,
        writeCapacity: provisioned ? PROVISIONED_CAPACITY : undefined,
        pointInTimeRecovery: managed ? { enabled: true } : undefined,
        serverSideEncryption: managed ? { enabled: true } : undefined,
      },
      { parent: this, provider: args.backend.provider },
    ));
    this.names = pulumi.all(tables.map((table) => table.name));
    this.arns = pulumi.all(tables.map((table) => table.arn));
    this.registerOutputs({ names: this.names, arns: this.arns });
  }
}
