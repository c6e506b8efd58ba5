/**
 * The cmpt756 lab as processes, for its tests and its benchmark: DynamoDB
 * (dynalite, in memory), the tables with the course's key schemas, and the
 * built db, s1 and s2 services on free ports of 127.0.0.1.
 */
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { startService, type ServiceProcess } from "@container-labs/test-kit";
import dynalite from "dynalite";

const LAB = join(__dirname, "..", "..");
export const JWT_SECRET = "test-secret-that-is-at-least-32-characters-long";
export const LOADER_TOKEN = "loader-password-for-tests";

export interface Dynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** How many requests DynamoDB (dynalite) has received so far. */
  requests(): number;
  stop(): Promise<void>;
}

/** A client for dynalite at `endpoint`, which takes any credentials. */
export function dynamoClient(endpoint: string, config: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, ...config });
}

/** dynalite inside this process, its tables created, updated and deleted after `tableDelayMs` (at once by default, not after its own 500 ms). */
export async function startDynalite(tableDelayMs = 0): Promise<Dynamo> {
  const server = dynalite({ createTableMs: tableDelayMs, deleteTableMs: tableDelayMs, updateTableMs: tableDelayMs });
  let requests = 0;
  server.on("request", () => (requests += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = dynamoClient(endpoint);
  return {
    endpoint,
    client,
    requests: () => requests,
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The course's tables: `User-<suffix>` keyed by user_id, `Music-<suffix>` keyed by music_id (both strings). */
export async function createTables(client: DynamoDBClient, suffix: string): Promise<void> {
  for (const [table, key] of [[`User-${suffix}`, "user_id"], [`Music-${suffix}`, "music_id"]]) {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      }),
    );
  }
}

const script = (service: string, entry = "main.js"): string => join(LAB, service, "dist", entry);
export const loaderScript = script("db", "load.js");

export function startDb(endpoint: string, suffix: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService("cmpt756-db", {
    script: script("db"),
    healthPath: "/api/v1/datastore/health",
    env: { DYNAMODB_ENDPOINT: endpoint, TABLE_SUFFIX: suffix, AWS_REGION: "us-east-1", SVC_LOADER_TOKEN: LOADER_TOKEN, ...env },
  });
}

/** s1 ("s1", users) or s2 ("s2", music) in front of the db at `db`. */
export function startFront(service: "s1" | "s2", db: ServiceProcess, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService(`cmpt756-${service}`, {
    script: script(service),
    healthPath: service === "s1" ? "/api/v1/user/health" : "/api/v1/music/health",
    env: { DB_URL: db.url("/api/v1/datastore"), JWT_SECRET, ...env },
  });
}

export interface Cmpt756Processes {
  dynamo: Dynamo;
  db: ServiceProcess;
  s1: ServiceProcess;
  s2: ServiceProcess;
  stop(): Promise<void>;
}

/** The whole lab: dynalite with the tables of `suffix`, db on it, s1 and s2 in front of db. */
export async function startCmpt756(suffix: string): Promise<Cmpt756Processes> {
  const dynamo = await startDynalite();
  await createTables(dynamo.client, suffix);
  const db = await startDb(dynamo.endpoint, suffix);
  const [s1, s2] = await Promise.all([startFront("s1", db), startFront("s2", db)]);
  const stop = async () => {
    await Promise.all([s1.stop(), s2.stop()]);
    await db.stop();
    await dynamo.stop();
  };
  return { dynamo, db, s1, s2, stop };
}
