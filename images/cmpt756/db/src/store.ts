import { DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { HttpError, type Fields, type ReadResult } from "@container-labs/cmpt756-kit";
import type { TableRef } from "./objtypes";

export interface StoreOptions {
  region: string;
  endpoint?: string;
}

/**
 * Credentials come from the SDK's default chain (environment, profile, the
 * EC2 instance role). DynamoDB Local and dynalite accept any key, so with an
 * endpoint and no key in the environment we hand them a placeholder rather
 * than have the chain probe for an instance role that is not there.
 */
function clientConfig(options: StoreOptions, env: NodeJS.ProcessEnv = process.env): DynamoDBClientConfig {
  const config: DynamoDBClientConfig = { region: options.region };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    if (!env.AWS_ACCESS_KEY_ID) config.credentials = { accessKeyId: "local", secretAccessKey: "local" };
  }
  return config;
}

/** DynamoDB as the datastore API uses it: one table per objtype, one string hash key per table. */
export class ObjectStore {
  private readonly client: DynamoDBClient;
  private readonly documents: DynamoDBDocumentClient;

  constructor(options: StoreOptions) {
    this.client = new DynamoDBClient(clientConfig(options));
    this.documents = DynamoDBDocumentClient.from(this.client);
  }

  async read(ref: TableRef, id: string): Promise<ReadResult> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: ref.table,
        KeyConditionExpression: "#key = :id",
        ExpressionAttributeNames: { "#key": ref.key },
        ExpressionAttributeValues: { ":id": id },
      }),
    );
    return { Count: result.Count ?? 0, Items: result.Items ?? [], ScannedCount: result.ScannedCount ?? 0 };
  }

  async put(ref: TableRef, id: string, fields: Fields): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: ref.table, Item: { ...fields, [ref.key]: id } }));
  }

  /** Sets every given field of an existing object; 404 when there is none (DynamoDB alone would create it). */
  async update(ref: TableRef, id: string, fields: Fields): Promise<{ Attributes: Fields }> {
    const names: Record<string, string> = { "#key": ref.key };
    const values: Record<string, unknown> = {};
    const assignments = Object.entries(fields).map(([field, value], i) => {
      // Placeholders for every name: the course broke on reserved words such as "name".
      names[`#f${i}`] = field;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: ref.table,
          Key: { [ref.key]: id },
          UpdateExpression: `SET ${assignments.join(", ")}`,
          ConditionExpression: "attribute_exists(#key)",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return { Attributes: result.Attributes ?? {} };
    } catch (err) {
      if ((err as Error).name === "ConditionalCheckFailedException") {
        throw new HttpError(404, `no object with ${ref.key} ${JSON.stringify(id)}`);
      }
      throw err;
    }
  }

  /** Deleting what is not there succeeds, as in DynamoDB and the course. */
  async remove(ref: TableRef, id: string): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: ref.table, Key: { [ref.key]: id } }));
  }

  /** Resolves once every table exists and is ACTIVE. */
  async checkTables(tables: string[]): Promise<void> {
    for (const table of tables) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: table }));
      if (Table?.TableStatus !== "ACTIVE") throw new Error(`table ${table} is ${Table?.TableStatus ?? "unknown"}`);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
