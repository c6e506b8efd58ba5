/**
 * A DynamoDB table in DynamoDB Local, made through the AWS SDK by a dynamic
 * provider: the local stack then needs no AWS provider plugin (hundreds of MB
 * a laptop would download only to talk to a container on its own engine),
 * and the tables still appear in `pulumi preview` as resources of their own.
 *
 * Pulumi serializes the provider's functions into the plugin process that
 * runs them, so they reach the SDK through `require` at run time and share
 * nothing with this module but what they are given.
 */
import * as pulumi from "@pulumi/pulumi";
import { sshSession, type SshEndpoint } from "./remote/remoteCommand";

export interface LocalDynamoTableInputs {
  /** DynamoDB Local's endpoint as seen from the Docker host (published on its loopback). */
  endpoint: string;
  /** A remote host: the endpoint is reached through an SSH session to it (its loopback is its own). */
  ssh?: SshEndpoint;
  /** The login key of that session: a secret, in the state as one (delete and refresh need it too). */
  sshPrivateKey?: string;
  region: string;
  tableName: string;
  /** The string hash key. */
  hashKey: string;
  billing: "on-demand" | "provisioned";
  /** Read and write units when provisioned. */
  capacity: number;
}

type State = LocalDynamoTableInputs & { arn: string };

/**
 * An endpoint on this machine that reaches the table's: the endpoint itself
 * on the local target; on a remote host, a port of this machine's loopback
 * forwarded through an SSH session to the host's (`close` ends both).
 */
async function reach(table: LocalDynamoTableInputs): Promise<{ endpoint: string; close(): void }> {
  if (!table.ssh) return { endpoint: table.endpoint, close: () => undefined };
  const net = require("node:net") as typeof import("node:net");
  const session = await sshSession(table.ssh, table.sshPrivateKey ?? "");
  const target = new URL(table.endpoint);
  const server = net.createServer((socket) => {
    session.forwardOut("127.0.0.1", 0, target.hostname === "localhost" ? "127.0.0.1" : target.hostname, Number(target.port), (error, stream) => {
      // Nothing listens there yet: the client sees its connection dropped, and untilAnswering tries again.
      if (error) {
        socket.destroy();
        return;
      }
      socket.pipe(stream).pipe(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => { server.close(); session.end(); } };
}

/** What a table's endpoint is called in messages. */
const where = (table: LocalDynamoTableInputs) => (table.ssh ? `${table.endpoint} on ${table.ssh.host} (through SSH)` : table.endpoint);

/** A client of the table's DynamoDB Local for `work`. It accepts any credentials; the SDK only insists on having some. */
async function withClient<T>(table: LocalDynamoTableInputs, work: (sdk: typeof import("@aws-sdk/client-dynamodb"), client: import("@aws-sdk/client-dynamodb").DynamoDBClient) => Promise<T>): Promise<T> {
  const sdk = require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
  const path = await reach(table);
  const client = new sdk.DynamoDBClient({ endpoint: path.endpoint, region: table.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    return await work(sdk, client);
  } finally {
    client.destroy();
    path.close();
  }
}

/** How long a table's creation or update waits for DynamoDB Local to answer. */
const READY_TIMEOUT_MS = 90_000;

/**
 * Resolves once DynamoDB Local answers a request, whatever the answer.
 * Its container counts as created as soon as it starts, well before the
 * server inside listens; meanwhile the published port accepts connections
 * and drops them ("socket hang up"), so the first table of a fresh
 * deployment would otherwise fail.
 */
export async function untilAnswering(table: LocalDynamoTableInputs, timeoutMs: number = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withClient(table, async (sdk, client) => {
    for (let pauseMs = 100; ; pauseMs = Math.min(pauseMs * 2, 2000)) {
      try {
        await client.send(new sdk.ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        // An HTTP status means the server answered (an error of its own is for the real request to report).
        if (typeof (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === "number") return;
        if (Date.now() + pauseMs > deadline) {
          throw new Error(`DynamoDB Local at ${where(table)} did not answer within ${timeoutMs / 1000} s (is its container running? \`docker logs dynamodb-local\`): ${(err as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  });
}

/** The table named `name` as DynamoDB Local describes it; undefined when it has none of that name. */
async function findTable(table: LocalDynamoTableInputs, name: string): Promise<import("@aws-sdk/client-dynamodb").TableDescription | undefined> {
  return withClient(table, async (sdk, client) => {
    try {
      return (await client.send(new sdk.DescribeTableCommand({ TableName: name }))).Table;
    } catch (err) {
      if (err instanceof sdk.ResourceNotFoundException) return undefined;
      throw err;
    }
  });
}

/** The table made in DynamoDB Local once it answers, and ready. */
async function createTable(inputs: LocalDynamoTableInputs): Promise<State> {
  await untilAnswering(inputs);
  const billing = inputs.billing === "provisioned"
    ? { BillingMode: "PROVISIONED" as const, ProvisionedThroughput: { ReadCapacityUnits: inputs.capacity, WriteCapacityUnits: inputs.capacity } }
    : { BillingMode: "PAY_PER_REQUEST" as const };
  return withClient(inputs, async (sdk, client) => {
    try {
      const created = await client.send(new sdk.CreateTableCommand({
        TableName: inputs.tableName,
        AttributeDefinitions: [{ AttributeName: inputs.hashKey, AttributeType: "S" }],
        KeySchema: [{ AttributeName: inputs.hashKey, KeyType: "HASH" }],
        ...billing,
      }));
      // The waiter's own first pause is 20 s, sized for the region's DynamoDB; a local table is ready within a second.
      await sdk.waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 5 }, { TableName: inputs.tableName });
      return { ...inputs, arn: created.TableDescription?.TableArn ?? "" };
    } catch (err) {
      throw new Error(`creating table ${inputs.tableName} in DynamoDB Local at ${where(inputs)}: ${(err as Error).message}`);
    }
  });
}

/** Exported for its tests, which drive it against dynalite. */
export const localDynamoTableProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: State, news: LocalDynamoTableInputs) {
    const replaces = (["tableName", "hashKey", "endpoint"] as const).filter((key) => olds[key] !== news[key]);
    // Reached through another SSH endpoint (a new machine's host key): an update, so that refresh and destroy reach it there too.
    const reachedElsewhere = JSON.stringify(olds.ssh ?? null) !== JSON.stringify(news.ssh ?? null);
    const changes = replaces.length > 0 || olds.billing !== news.billing || olds.capacity !== news.capacity || reachedElsewhere;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs: LocalDynamoTableInputs) {
    const outs = await createTable(inputs);
    return { id: inputs.tableName, outs };
  },

  /**
   * Its billing set, or the table reached through a new machine: one that
   * kept DynamoDB Local's volume (the data disk) has it, with its items; on
   * one that did not (a user's machine reinstalled), it is made again, empty.
   */
  async update(_id: string, olds: State, news: LocalDynamoTableInputs) {
    await untilAnswering(news);
    const found = await findTable(news, news.tableName);
    if (!found) return { outs: await createTable(news) };
    if (olds.billing === news.billing && olds.capacity === news.capacity) return { outs: { ...news, arn: found.TableArn ?? olds.arn } };
    return withClient(news, async (sdk, client) => {
      const updated = await client.send(new sdk.UpdateTableCommand(news.billing === "provisioned"
        ? { TableName: news.tableName, BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: news.capacity, WriteCapacityUnits: news.capacity } }
        : { TableName: news.tableName, BillingMode: "PAY_PER_REQUEST" }));
      return { outs: { ...news, arn: updated.TableDescription?.TableArn ?? "" } };
    });
  },

  async read(id: string, props: State) {
    const found = await findTable(props, id);
    // Gone (its container's data volume was removed, say): refresh drops it, and `up` makes it again.
    return found ? { id, props: { ...props, arn: found.TableArn ?? props.arn } } : {};
  },

  async delete(id: string, props: State) {
    await withClient(props, async (sdk, client) => {
      try {
        await client.send(new sdk.DeleteTableCommand({ TableName: id }));
      } catch (err) {
        if (!(err instanceof sdk.ResourceNotFoundException)) throw err;
      }
    });
  },
};

/** One table in DynamoDB Local. */
export class LocalDynamoTable extends pulumi.dynamic.Resource {
  declare readonly tableName: pulumi.Output<string>;
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: { [K in keyof LocalDynamoTableInputs]: pulumi.Input<LocalDynamoTableInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
    const inputs = { ...args, sshPrivateKey: args.sshPrivateKey && pulumi.secret(args.sshPrivateKey), arn: undefined };
    super(localDynamoTableProvider, name, inputs, { ...opts, additionalSecretOutputs: ["sshPrivateKey"] }, "container-labs", "LocalDynamoTable");
  }
}
