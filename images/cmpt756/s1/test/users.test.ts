/**
 * s1, the users service, in front of db and dynalite: the course's routes,
 * with login tokens that are verified (forged or expired ones are refused).
 */
import { join } from "node:path";
import { SignJWT, decodeJwt } from "jose";
import { run, type ServiceProcess } from "@container-labs/test-kit";
import { call } from "../../db/test/support/http";
import { JWT_SECRET, createTables, startDb, startDynalite, startFront, type Dynamo } from "../../db/test/support/stack";

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
      expect(read.json).toEqual({ Count: 1, ScannedCount: 1, Items: [{ user_id: userId, ...ada }] });
    }
  });

  it("updates a user's fields", async () => {
    const userId = await createUser();
    const token = await login(userId);
    const changed = { fname: "Ada", lname: "Okafor-Lind", email: "ada@lind.example.org" };
    const updated = await call(api(`/${userId}`), { method: "PUT", body: changed, authorization: token });
    expect(updated.status).toBe(200);
    const read = await call(api(`/${userId}`), { authorization: token });
    expect(read.json.Items).toEqual([{ user_id: userId, ...changed }]);
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
    expect((await call(api(`/${userId}`), { method: "DELETE", authorization: token })).status).toBe(200);
    const read = await call(api(`/${userId}`), { authorization: token });
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ Count: 0, Items: [], ScannedCount: 0 });
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

  it("a logoff without jwt", async () => {
    const answer = await call(api("/logoff"), { method: "PUT", body: {} });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "body must have required property 'jwt'" });
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
