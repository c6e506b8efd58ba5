/**
 * The cmpt756 lab: GET /api/v1/user/<id> through s1 -> db -> DynamoDB
 * (dynalite, in memory, its own process), then each hop alone, so the table
 * shows which hop dominates. BENCH_SECONDS (default 10) sets each run's length.
 */
import { Agent } from "node:http";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { freePort, run as runProcess, waitFor, type RunningProcess } from "@container-labs/test-kit";
import { call } from "../images/cmpt756/test/support/http";
import { createTables, dynamoClient, startDb, startFront } from "../images/cmpt756/test/support/stack";
import { measureRound } from "./cpu";
import { cpuColumns, load, percentile, printTable, type Row } from "./harness";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 64;
const quiet = { LOG_LEVEL: "warn" };

async function startDynaliteProcess(): Promise<{ endpoint: string; process: RunningProcess }> {
  const port = await freePort();
  const proc = runProcess("dynalite", process.execPath, {
    args: [require.resolve("dynalite/cli.js"), "--host", "127.0.0.1", "--port", String(port), "--createTableMs", "0"],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor("dynalite", async () => (await fetch(endpoint, { method: "POST" }).catch(() => undefined)) !== undefined);
  return { endpoint, process: proc };
}

/** The SDK's own Query against dynalite, `connections` at a time: the last hop without HTTP in front. */
async function sdkQueries(endpoint: string, table: string, userId: string): Promise<Row> {
  // The SDK's default pool is 50 sockets; give it one per worker as autocannon has.
  const client = dynamoClient(endpoint, { requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: connections }) } });
  const query = new QueryCommand({
    TableName: table,
    KeyConditionExpression: "user_id = :id",
    ExpressionAttributeValues: { ":id": { S: userId } },
  });
  const latencies: number[] = [];
  let errors = 0;
  let deadline = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await client.send(query);
        latencies.push(performance.now() - started);
      } catch {
        errors += 1;
      }
    }
  };
  const { cpu } = await measureRound(() => {
    deadline = performance.now() + seconds * 1000;
    return Promise.all(Array.from({ length: connections }, worker));
  });
  client.destroy();
  return {
    hop: "dynalite alone (SDK Query)",
    "req/s": Math.round(latencies.length / seconds),
    "p50 ms": percentile(latencies, 50),
    "p99 ms": percentile(latencies, 99),
    "non-2xx": 0,
    errors,
    ...cpuColumns([cpu]),
  };
}

export async function run(): Promise<void> {
  const dynamo = await startDynaliteProcess();
  const setup = dynamoClient(dynamo.endpoint);
  await createTables(setup, "bench");
  setup.destroy();
  const db = await startDb(dynamo.endpoint, "bench", quiet);
  const s1 = await startFront("s1", db, quiet);
  try {
    const user = await call(s1.url("/api/v1/user/"), { method: "POST", body: { fname: "Bench", lname: "Mark", email: "b@example.org" } });
    const userId = user.json.user_id as string;
    const token = (await call(s1.url("/api/v1/user/login"), { method: "PUT", body: { uid: userId } })).text;
    const viaS1 = { url: s1.url(`/api/v1/user/${userId}`), headers: { authorization: `Bearer ${token}` } };
    const direct = { url: db.url(`/api/v1/datastore/read?objtype=user&objkey=${userId}`) };

    await load({ ...viaS1, connections, durationSeconds: 2 }); // warm-up: JIT, sockets, dynalite's store
    const rows: Row[] = [];
    for (const [hop, target] of [["s1 -> db -> dynalite (GET /api/v1/user/<id>)", viaS1], ["db -> dynalite (GET /read)", direct]] as const) {
      const r = await load({ ...target, connections, durationSeconds: seconds });
      rows.push({ hop, "req/s": Math.round(r.requestsPerSecond), "p50 ms": r.p50Ms, "p99 ms": r.p99Ms, "non-2xx": r.non2xx, errors: r.errors, ...cpuColumns([r.cpu]) });
    }
    rows.push(await sdkQueries(dynamo.endpoint, "User-bench", userId));
    printTable(`GET one user, ${connections} connections, ${seconds} s each, LOG_LEVEL=warn`, rows);
  } finally {
    await s1.stop();
    await db.stop();
    await dynamo.process.stop();
  }
}
