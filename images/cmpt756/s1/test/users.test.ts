/**
 * s1, the users service, in front of db and dynalite: the course's routes,
 * with login tokens that are verified (forged or expired ones are refused).
 */
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { SignJWT, decodeJwt } from "jose";
import { run, type ServiceProcess } from "@container-labs/test-kit";
import { queryResult, responseMetadata } from "../../test/support/course";
import { bodyless, call } from "../../test/support/http";
import { JWT_SECRET, createTables, startDb, startDynalite, startFront, type Dynamo } from "../../test/support/stack";

let dynamo: Dynamo;
let db: ServiceProcess;
let s1: ServiceProcess;
const api = (path: string): string => s1.url(`/api/v1/user${path}`);
const TTL_SECONDS = 600;

const ada = { fname: "Ada", lname: "Okafor", email: "ada@example.org" };

async function createUser(fields = ada): Promise<string> {
  const created = await call(api("/"), { method: "POST", body: fields });
  expect(created.status).toBe(200);
  return created.json.user_id as string;
}

async function login(userId: string): Promise<string> {
  const answer = await call(api("/login"), { method: "PUT", body: { uid: userId } });
  expect(answer.status).toBe(200);
  return answer.text;
}

const sign = (secret: string, expiresAt: number) =>
  new SignJWT({ user_id: "someone" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(expiresAt - 60)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));

beforeAll(async () => {
  dynamo = await startDynalite();
  await createTables(dynamo.client, "s1");
  db = await startDb(dynamo.endpoint, "s1");
  s1 = await startFront("s1", db, { JWT_TTL_SECONDS: String(TTL_SECONDS) });
});

afterAll(async () => {
  await s1?.stop();
  await db?.stop();
  await dynamo?.stop();
});

describe("create, login, read, update, delete", () => {
  it("creates a user without a token and answers its user_id", async () => {
    const created = await call(api("/"), { method: "POST", body: ada });
    expect(created.json).toEqual({ user_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("logs in an existing user with an HS256 JWT carrying user_id, valid for JWT_TTL_SECONDS", async () => {
    const userId = await createUser();
    const answer = await call(api("/login"), { method: "PUT", body: { uid: userId } });
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain/);
    const claims = decodeJwt(answer.text);
    expect(claims.user_id).toBe(userId);
    expect(claims.exp! - claims.iat!).toBe(TTL_SECONDS);
  });

  it("reads a user with the bare token (as the course sends it) and with Bearer", async () => {
    const userId = await createUser();
    const token = await login(userId);
    for (const authorization of [token, `Bearer ${token}`]) {
      const read = await call(api(`/${userId}`), { authorization });
      expect(read.status).toBe(200);
      // The datastore's read, passed on as the course's s1 did: boto3's Query answer, ResponseMetadata included.
      expect(read.json).toEqual(queryResult([{ user_id: userId, ...ada }]));
    }
  });

  it("updates a user's fields", async () => {
    const userId = await createUser();
    const token = await login(userId);
    const changed = { fname: "Ada", lname: "Okafor-Lind", email: "ada@lind.example.org" };
    const updated = await call(api(`/${userId}`), { method: "PUT", body: changed, authorization: token });
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ Attributes: { user_id: userId, ...changed }, ResponseMetadata: responseMetadata });
    const read = await call(api(`/${userId}`), { authorization: token });
    expect(read.json.Items).toEqual([{ user_id: userId, ...changed }]);
  });

  it("updates any non-empty subset of the fields, as the exercise's table shows, leaving the others", async () => {
    const userId = await createUser();
    const token = await login(userId);
    const emailOnly = await call(api(`/${userId}`), { method: "PUT", body: { email: "ada@new.example.org" }, authorization: token });
    expect(emailOnly.status).toBe(200);
    expect(emailOnly.json.Attributes).toEqual({ user_id: userId, ...ada, email: "ada@new.example.org" });
    const twoFields = await call(api(`/${userId}`), { method: "PUT", body: { email: "a@b.example.org", fname: "Adaeze" }, authorization: token });
    expect(twoFields.json.Attributes).toEqual({ user_id: userId, fname: "Adaeze", lname: ada.lname, email: "a@b.example.org" });
  });

  it("answers 404 for an update of a user that does not exist", async () => {
    const token = await login(await createUser());
    const updated = await call(api("/no-such-user"), { method: "PUT", body: ada, authorization: token });
    expect(updated.status).toBe(404);
    expect(updated.json.error).toMatch(/no-such-user/);
  });

  it("deletes a user; reading it afterwards finds nothing", async () => {
    const userId = await createUser();
    const token = await login(userId);
    const deleted = await call(api(`/${userId}`), { method: "DELETE", authorization: token });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ ResponseMetadata: responseMetadata });
    const read = await call(api(`/${userId}`), { authorization: token });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(queryResult([]));
  });

  it.each([
    ["curl -H (no Content-Length)", { "content-type": "application/json" }],
    ["Postman (Content-Length: 0)", { "content-type": "application/json", "content-length": "0" }],
  ])("reads and deletes with Content-Type: application/json and no body, as %s sends them", async (_client, headers) => {
    const userId = await createUser();
    const authorization = await login(userId);
    const read = await bodyless(api(`/${userId}`), "GET", { ...headers, authorization });
    expect(read.status).toBe(200);
    expect(read.json.Count).toBe(1);
    const deleted = await bodyless(api(`/${userId}`), "DELETE", { ...headers, authorization });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ ResponseMetadata: responseMetadata });
  });

  it("logs off: a body with jwt is answered {}", async () => {
    const token = await login(await createUser());
    const answer = await call(api("/logoff"), { method: "PUT", body: { jwt: token } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({});
  });
});

describe("login refusals", () => {
  it("answers 404 with a JSON error for an unknown user (the course crashed with a 500)", async () => {
    const answer = await call(api("/login"), { method: "PUT", body: { uid: "nobody" } });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ error: 'no user with user_id "nobody"' });
  });

  it("answers 400 naming uid when it is missing", async () => {
    const answer = await call(api("/login"), { method: "PUT", body: { user_id: "x" } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "body must have required property 'uid'" });
  });
});

describe("the collection's URL without an id", () => {
  it.each([
    ["GET", "/"],
    ["PUT", "/"],
    ["DELETE", "/"],
    ["GET", ""],
  ])("%s /api/v1/user%s answers 405 naming the URL meant, with or without a token", async (method, path) => {
    const token = await login(await createUser());
    for (const authorization of [undefined, token]) {
      const answer = await call(api(path), { method, body: method === "PUT" ? ada : undefined, authorization });
      expect(answer.status).toBe(405);
      expect(answer.headers.get("allow")).toBe("POST");
      expect(answer.json).toEqual({ error: `${method} /api/v1/user/ needs a user_id: ${method} /api/v1/user/<user_id>` });
    }
  });
});

describe("protected routes", () => {
  let userId: string;
  beforeAll(async () => {
    userId = await createUser();
  });

  it.each(["GET", "PUT", "DELETE"])("%s /<user_id> answers 401 missing auth without the header", async (method) => {
    const answer = await call(api(`/${userId}`), { method, body: method === "PUT" ? ada : undefined });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "missing auth" });
  });

  it("refuses a token signed with another secret, and does not delete", async () => {
    const forged = await sign("a-different-secret-that-is-32-chars-long!", Math.floor(Date.now() / 1000) + 600);
    const answer = await call(api(`/${userId}`), { method: "DELETE", authorization: forged });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "invalid token: signature verification failed" });
    const token = await login(userId);
    expect((await call(api(`/${userId}`), { authorization: token })).json.Count).toBe(1);
  });

  it("refuses an expired token signed with the right secret", async () => {
    const expired = await sign(JWT_SECRET, Math.floor(Date.now() / 1000) - 60);
    const answer = await call(api(`/${userId}`), { authorization: `Bearer ${expired}` });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "token expired" });
  });

  it("refuses something that is not a JWT", async () => {
    const answer = await call(api(`/${userId}`), { authorization: "Bearer not.a.jwt" });
    expect(answer.status).toBe(401);
    expect(answer.json.error).toMatch(/^invalid token: /);
  });
});

describe("bad bodies are a 400 naming the problem", () => {
  it("malformed JSON on create (the course answered 200)", async () => {
    const answer = await call(api("/"), { method: "POST", body: "{not json" });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/not valid JSON/);
  });

  it("a create without email", async () => {
    const answer = await call(api("/"), { method: "POST", body: { fname: "A", lname: "B" } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "body must have required property 'email'" });
  });

  it.each([
    ["an empty body", {}, "body must set at least one of fname, lname, email"],
    ["capitalised names, as the exercise's table writes them", { Email: "a@b.org", Fname: "A" }, "body must set at least one of fname, lname, email; it has only Email, Fname"],
    ["an empty field", { email: "" }, "body/email must NOT have fewer than 1 characters"],
  ])("an update with %s", async (_case, body, error) => {
    const userId = await createUser();
    const token = await login(userId);
    const answer = await call(api(`/${userId}`), { method: "PUT", body, authorization: token });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error });
  });

  it("a field the datastore cannot store (over 400 KB): the datastore's 400 is passed on, not a 502", async () => {
    const answer = await call(api("/"), { method: "POST", body: { ...ada, email: "x".repeat(410_000) } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/^the item is \d+ bytes; DynamoDB stores at most 409600 bytes \(400 KB\) per item$/);
  });

  it("a logoff without jwt", async () => {
    const answer = await call(api("/logoff"), { method: "PUT", body: {} });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "body must have required property 'jwt'" });
  });
});

describe("calls to the datastore under load", () => {
  /** A datastore that answers every read after `delayMs`, counting the connections s1 opens to it. */
  async function slowDatastore(delayMs: number) {
    let connections = 0;
    const server = createHttpServer((request, response) => {
      const answer = () => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ Count: 1, Items: [{ user_id: "u" }], ScannedCount: 1 }));
      if (request.url?.startsWith("/api/v1/datastore/read")) setTimeout(answer, delayMs);
      else answer();
    });
    server.on("connection", () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/datastore`;
    return { url, connections: () => connections, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  async function readConcurrently(front: ServiceProcess, count: number): Promise<number[]> {
    const token = await sign(JWT_SECRET, Math.floor(Date.now() / 1000) + 600);
    const answers = await Promise.all(Array.from({ length: count }, () => call(front.url("/api/v1/user/u"), { authorization: token })));
    return answers.map((answer) => answer.status);
  }

  it("answers all 64 reads of the course's load test with 200 while each takes the datastore 5.5 s (the fixed 5 s abort made them 502s)", async () => {
    const datastore = await slowDatastore(5500);
    const front = await startFront("s1", db, { DB_URL: datastore.url });
    try {
      expect(await readConcurrently(front, 64)).toEqual(Array(64).fill(200));
    } finally {
      await front.stop();
      await datastore.close();
    }
  }, 20000);

  it("keeps at most DB_CONNECTIONS connections to the datastore; further calls wait for one", async () => {
    const datastore = await slowDatastore(200);
    const front = await startFront("s1", db, { DB_URL: datastore.url, DB_CONNECTIONS: "4" });
    try {
      expect(await readConcurrently(front, 12)).toEqual(Array(12).fill(200));
      expect(datastore.connections()).toBe(4);
    } finally {
      await front.stop();
      await datastore.close();
    }
  });
});

describe("probes, metrics and settings", () => {
  it("answers health and readiness under the prefix and counts requests per route at /metrics", async () => {
    expect((await call(api("/health"))).json).toEqual({ status: "ok" });
    expect((await call(api("/readiness"))).json).toEqual({ status: "ready" });
    const metrics = await call(s1.url("/metrics"));
    expect(metrics.text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/user\/:user_id",status_code="401"\} [1-9]/);
  });

  it("is not ready (503) while the datastore is down, and says so", async () => {
    const lonely = await startFront("s1", db, { DB_URL: "http://127.0.0.1:9/api/v1/datastore" });
    try {
      const answer = await call(lonely.url("/api/v1/user/readiness"));
      expect(answer.status).toBe(503);
      expect(answer.json.error).toMatch(/^datastore unreachable/);
      const created = await call(lonely.url("/api/v1/user/"), { method: "POST", body: ada });
      expect(created.status).toBe(502);
    } finally {
      await lonely.stop();
    }
  });

  it("answers 504 naming DB_TIMEOUT_MS when the datastore accepts the connection but never answers", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const stalled = await startFront("s1", db, { DB_URL: `http://127.0.0.1:${port}/api/v1/datastore`, DB_TIMEOUT_MS: "500" });
    try {
      const started = Date.now();
      const answer = await call(stalled.url("/api/v1/user/"), { method: "POST", body: ada });
      expect(answer.status).toBe(504);
      expect(answer.json).toEqual({ error: "the datastore did not answer within 500 ms (DB_TIMEOUT_MS)" });
      // The time is the behaviour: the answer comes at DB_TIMEOUT_MS, not when the silent datastore
      // would let go (never). 3 s is 3x the 500 ms plus a busy machine's second, twice over.
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await stalled.stop();
      silent.close();
    }
  });

  it("exits 1 naming DB_TIMEOUT_MS when it is not a number of milliseconds", async () => {
    const service = run("s1", process.execPath, {
      args: [join(__dirname, "..", "dist", "main.js")],
      env: { DB_URL: db.url("/api/v1/datastore"), JWT_SECRET, DB_TIMEOUT_MS: "5s" },
    });
    expect((await service.exited).code).toBe(1);
    expect(service.output()).toContain('DB_TIMEOUT_MS=\\"5s\\" is not valid: an integer from 100 to 120000');
  });

  it("exits 1 naming JWT_SECRET, without printing it, when the secret is too short", async () => {
    const service = run("s1", process.execPath, {
      args: [join(__dirname, "..", "dist", "main.js")],
      env: { DB_URL: db.url("/api/v1/datastore"), JWT_SECRET: "short-secret" },
    });
    expect((await service.exited).code).toBe(1);
    expect(service.output()).toContain('JWT_SECRET=\\"<12 characters>\\" is not valid: at least 32 characters');
    expect(service.output()).not.toContain("short-secret");
  });
});
