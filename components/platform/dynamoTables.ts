import * as pulumi from "@pulumi/pulumi";
import type { Billing, DynamoBackend, TableSpec } from "./dynamo";

export interface DynamoTablesArgs {
  tables: TableSpec[];
  billing: Billing;
  backend: DynamoBackend;
}

/**
 * A lab's DynamoDB tables, on whatever backend the target has: on-demand
 * billing unless provisioned 5/5 is asked for (as the course had them).
 */
export class DynamoTables extends pulumi.ComponentResource {
  readonly names: pulumi.Output<string[]>;
  readonly arns: pulumi.Output<string[]>;

  constructor(name: string, args: DynamoTablesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:DynamoTables", name, {}, opts);
    const tables = args.tables.map((spec) => args.backend.table(`${name}-${spec.name}`, spec, args.billing, this));
    this.names = pulumi.all(tables.map((table) => table.name));
    this.arns = pulumi.all(tables.map((table) => table.arn));
    this.registerOutputs({ names: this.names, arns: this.arns });
  }
}
