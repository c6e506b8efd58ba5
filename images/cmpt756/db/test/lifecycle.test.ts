/**
 * The db service's readiness (its tables must exist), its settings, and the
 * seeding step (dist/load.js) run as the Pulumi program runs it.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { run, type ServiceProcess } from "@container-labs/test-kit";
import { parseCsv } from "../src/csv";
import { call } from "../../test/support/http";
import { LOADER_TOKEN, createTables, loaderScript, startDb, startDynalite, type Dynamo } from "../../test/support/stack";

let dynamo: Dynamo;
let db: ServiceProcess;
const api = (path: string): string => db.url(`/api/v1/datastore${path}`);

beforeAll(async () => {
  dynamo = await startDynalite();
  // No tables yet: the readiness test creates them.
  db = await startDb(dynamo.endpoint, "fresh");
});

afterAll(async () => {
  await db?.stop();
  await dynamo?.stop();
});

describe("readiness", () => {
  it("fails with 503 while the tables do not exist, passes once they do", async () => {
    const before = await call(api("/readiness"));
    expect(before.status).toBe(503);
    expect(before.json.status).toBe("not ready");
    expect(before.json.error).toMatch(/User-fresh/);

    await createTables(dynamo.client, "fresh");
    const after = await call(api("/readiness"));
    expect(after.status).toBe(200);
    expect(after.json).toEqual({ status: "ready" });
  });
});

describe("the seeding step: node dist/load.js <datastore-api-url>", () => {
  const seed = (file: string) => parseCsv(readFileSync(join(__dirname, "..", "seed", file), "utf8"), file);
  const load = (password: string) =>
    run("loader", process.execPath, { args: [loaderScript, api("")], env: { SVC_LOADER_TOKEN: password } });

  it("ships 4 users and 6 songs with fixed uuids", () => {
    expect(seed("users.csv")).toHaveLength(4);
    expect(seed("music.csv")).toHaveLength(6);
    expect(Object.keys(seed("users.csv")[0])).toEqual(["fname", "lname", "email", "uuid"]);
    expect(Object.keys(seed("music.csv")[0])).toEqual(["Artist", "SongTitle", "uuid"]);
  });

  it("fails, storing nothing, with the wrong password", async () => {
    const loader = load("not-the-token");
    expect((await loader.exited).code).toBe(1);
    expect(loader.output()).toContain("invalid credentials for /load");
    const read = await call(api(`/read?objtype=user&objkey=${seed("users.csv")[0].uuid}`));
    expect(read.json.Count).toBe(0);
  });

  it("loads every user and song under its uuid, and can run again", async () => {
    for (let pass = 0; pass < 2; pass++) {
      const loader = load(LOADER_TOKEN);
      expect(await loader.exited).toEqual({ code: 0, signal: null });
    }
    for (const { uuid, ...fields } of seed("users.csv")) {
      const read = await call(api(`/read?objtype=user&objkey=${uuid}`));
      expect(read.json.Items).toEqual([{ user_id: uuid, ...fields }]);
    }
    for (const { uuid, ...fields } of seed("music.csv")) {
      const read = await call(api(`/read?objtype=music&objkey=${uuid}`));
      expect(read.json.Items).toEqual([{ music_id: uuid, ...fields }]);
    }
  });

  it("refuses to start without the datastore URL", async () => {
    const loader = run("loader", process.execPath, { args: [loaderScript], env: { SVC_LOADER_TOKEN: LOADER_TOKEN } });
    expect((await loader.exited).code).toBe(1);
    expect(loader.output()).toContain("usage: node dist/load.js <datastore-api-url>");
  });
});

describe("settings", () => {
  it("turns /load off (403) when SVC_LOADER_TOKEN is unset", async () => {
    const closed = await startDb(dynamo.endpoint, "fresh", { SVC_LOADER_TOKEN: "" });
    try {
      const answer = await call(closed.url("/api/v1/datastore/load"), { method: "POST", body: { objtype: "user", uuid: "1" } });
      expect(answer.status).toBe(403);
      const disabled = "/load is disabled: SVC_LOADER_TOKEN is not set";
      expect(answer.json).toEqual({ error: disabled, http_status_code: 403, reason: disabled });
    } finally {
      await closed.stop();
    }
  });

  it("listens only on HOST, closes silent connections after HTTP_HEADERS_TIMEOUT_MS and refuses past HTTP_MAX_CONNECTIONS", async () => {
    const headersTimeoutMs = 1000;
    const keepAliveTimeoutMs = 200;
    const bounded = await startDb(dynamo.endpoint, "fresh", {
      HOST: "127.0.0.1",
      HTTP_HEADERS_TIMEOUT_MS: String(headersTimeoutMs),
      HTTP_MAX_CONNECTIONS: "2",
      // The two held connections come from one address: let it have the whole cap (its share is half by default).
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: "2",
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(keepAliveTimeoutMs),
    });
    /** Connects, and resolves how long the service kept the connection open (or the connection error). */
    const hold = (host: string) =>
      new Promise<number | string>((resolve) => {
        const started = Date.now();
        const socket = connect(bounded.port, host);
        socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        socket.on("close", () => resolve(Date.now() - started));
        socket.resume();
      });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      // The start-up health check's kept-alive connection is closed by then (3x its keep-alive timeout), freeing its place under the cap.
      await sleep(3 * keepAliveTimeoutMs);
      expect(await hold("127.0.0.2")).toBe("ECONNREFUSED");
      let silentClosed = 0;
      const silent = [hold("127.0.0.1"), hold("127.0.0.1")].map((held) => held.finally(() => (silentClosed += 1)));
      await sleep(100);
      // Past the cap it is closed at once: while the two silent connections are still held.
      expect(typeof (await hold("127.0.0.1"))).toBe("number");
      expect(silentClosed).toBe(0);
      // The time is the behaviour: held until the headers timeout, then closed by Node's once-a-second
      // sweep; within 3x of that.
      for (const heldFor of await Promise.all(silent)) expect(heldFor).toBeGreaterThanOrEqual(headersTimeoutMs);
      for (const heldFor of await Promise.all(silent)) expect(heldFor).toBeLessThan(3 * (headersTimeoutMs + 1000));
    } finally {
      await bounded.stop();
    }
  });

  it("exits 1 with one line naming TABLE_SUFFIX when it is missing", async () => {
    const service = run("db", process.execPath, { args: [join(__dirname, "..", "dist", "main.js")], env: { DYNAMODB_ENDPOINT: dynamo.endpoint } });
    expect((await service.exited).code).toBe(1);
    const fatal = service.logLines().find((line) => line.level === "fatal");
    expect(fatal?.msg).toBe('cannot start: TABLE_SUFFIX="" is not valid: it is required');
  });
});

describe("the CSV reader", () => {
  it("maps rows to the header's columns", () => {
    expect(parseCsv("a,b\n1, 2\n\n", "t.csv")).toEqual([{ a: "1", b: "2" }]);
  });

  it("refuses what it would misread", () => {
    expect(() => parseCsv('a,b\n"1,5",2', "t.csv")).toThrow("t.csv:2: quoted fields are not supported");
    expect(() => parseCsv("a,b\n1", "t.csv")).toThrow("t.csv:2: 1 fields, the header has 2");
  });
});
