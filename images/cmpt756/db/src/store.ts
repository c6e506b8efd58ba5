import { DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { HttpError, type Fields, type ReadResult, type ResponseMetadata } from "@container-labs/cmpt756-kit";
import type { TableRef } from "./objtypes";

export interface StoreOptions {
  region: string;
  endpoint?: string;
}

/** The SDK's own metadata of an answer: what boto3's ResponseMetadata is made from. */
interface SdkMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
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

/**
 * DynamoDB as the datastore API uses it: one table per objtype, one string
 * hash key per table. Reads, updates and deletes answer what boto3 answered
 * the course's datastore, ResponseMetadata included.
 */
export class ObjectStore {
  private readonly client: DynamoDBClient;
  private readonly documents: DynamoDBDocumentClient;
  /** DynamoDB's response headers, by the SDK metadata of the answer they came with. */
  private readonly headers = new WeakMap<object, Record<string, string>>();

  constructor(options: StoreOptions) {
    this.client = new DynamoDBClient(clientConfig(options));
    // The SDK keeps no response headers; boto3's HTTPHeaders needs them. The build step wraps the retries,
    // so this sees the last attempt's response and the final attempt count.
    this.client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const headers = (result.response as { headers?: Record<string, string> }).headers;
        if (headers) this.headers.set(result.output.$metadata, headers);
        return result;
      },
      { step: "build", name: "keepResponseHeaders" },
    );
    this.documents = DynamoDBDocumentClient.from(this.client, {
      // JSON numbers are doubles; any the range check let through is stored as JSON read it, even past 2^53.
      marshallOptions: { allowImpreciseNumbers: true },
      // And read back as doubles, which JSON can answer (BigInts it cannot).
      unmarshallOptions: { wrapNumbers: (text) => Number(text) },
    });
  }

  async read(ref: TableRef, id: string): Promise<ReadResult> {
    const result = await this.send((documents) =>
      documents.send(
        new QueryCommand({
          TableName: ref.table,
          KeyConditionExpression: "#key = :id",
          ExpressionAttributeNames: { "#key": ref.key },
          ExpressionAttributeValues: { ":id": id },
        }),
      ),
    );
    return {
      Count: result.Count ?? 0,
      Items: result.Items ?? [],
      ScannedCount: result.ScannedCount ?? 0,
      ResponseMetadata: this.responseMetadata(result.$metadata),
    };
  }

  async put(ref: TableRef, id: string, fields: Fields): Promise<void> {
    await this.send((documents) => documents.send(new PutCommand({ TableName: ref.table, Item: { ...fields, [ref.key]: id } })));
  }

  /**
   * Sets every given field of an existing object and answers boto3's
   * update_item answer with ReturnValues=ALL_NEW; 404 when there is no such
   * object (DynamoDB alone would create it).
   */
  async update(ref: TableRef, id: string, fields: Fields): Promise<{ Attributes: Fields; ResponseMetadata: ResponseMetadata }> {
    const names: Record<string, string> = { "#key": ref.key };
    const values: Record<string, unknown> = {};
    const assignments = Object.entries(fields).map(([field, value], i) => {
      // Placeholders for every name: the course broke on reserved words such as "name".
      names[`#f${i}`] = field;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    try {
      const result = await this.send((documents) =>
        documents.send(
          new UpdateCommand({
            TableName: ref.table,
            Key: { [ref.key]: id },
            UpdateExpression: `SET ${assignments.join(", ")}`,
            ConditionExpression: "attribute_exists(#key)",
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      return { Attributes: result.Attributes ?? {}, ResponseMetadata: this.responseMetadata(result.$metadata) };
    } catch (err) {
      if ((err as Error).name === "ConditionalCheckFailedException") {
        throw new HttpError(404, `no object with ${ref.key} ${JSON.stringify(id)}`);
      }
      throw err;
    }
  }

  /** Deleting what is not there succeeds, as in DynamoDB and the course; the answer is boto3's delete_item answer. */
  async remove(ref: TableRef, id: string): Promise<{ ResponseMetadata: ResponseMetadata }> {
    const result = await this.send((documents) => documents.send(new DeleteCommand({ TableName: ref.table, Key: { [ref.key]: id } })));
    return { ResponseMetadata: this.responseMetadata(result.$metadata) };
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

  /**
   * Runs one call of the document client. DynamoDB's ValidationException is about the
   * data it was given (our requests are well-formed by construction), e.g.
   * an update that would take the stored item over 400 KB: the caller's 400.
   */
  private async send<T>(operation: (documents: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
    try {
      return await operation(this.documents);
    } catch (err) {
      if ((err as Error).name === "ValidationException") {
        throw new HttpError(400, `DynamoDB refused the request: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  private responseMetadata(metadata: SdkMetadata): ResponseMetadata {
    return {
      HTTPStatusCode: metadata.httpStatusCode ?? 200,
      RequestId: metadata.requestId ?? "",
      HTTPHeaders: this.headers.get(metadata) ?? {},
      // boto3 counts retries, the SDK attempts.
      RetryAttempts: Math.max(0, (metadata.attempts ?? 1) - 1),
    };
  }
}
