/**
 * The datastore API (db) over HTTP, against dynalite: the course's routes,
 * bodies and status codes, with its bugs fixed (bad input is a 4xx naming the problem).
 */
import type { ServiceProcess } from "@container-labs/test-kit";
import { basic, call } from "./support/http";
import { LOADER_TOKEN, createTables, startDb, startDynalite, type Dynamo } from "./support/stack";

let dynamo: Dynamo;
let db: ServiceProcess;
const api = (path: string): string => db.url(`/api/v1/datastore${path}`);

beforeAll(async () => {
  dynamo = await startDynalite();
  await createTables(dynamo.client, "lab");
  db = await startDb(dynamo.endpoint, "lab");
});

afterAll(async () => {
  await db?.stop();
  await dynamo?.stop();
});

describe("write, read, update, delete", () => {
  it("stores a user under a new uuid and reads it back in DynamoDB's Query shape", async () => {
    const written = await call(api("/write"), { method: "POST", body: { objtype: "user", fname: "Ada", lname: "Okafor", email: "ada@example.org" } });
    expect(written.status).toBe(200);
    expect(written.json).toEqual({ user_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const read = await call(api(`/read?objtype=user&objkey=${written.json.user_id}`));
    expect(read.status).toBe(200);
    expect(read.json).toEqual({
      Count: 1,
      ScannedCount: 1,
      Items: [{ user_id: written.json.user_id, fname: "Ada", lname: "Okafor", email: "ada@example.org" }],
    });
  });

  it("keeps songs in the music table under music_id", async () => {
    const written = await call(api("/write"), { method: "POST", body: { objtype: "music", Artist: "Velvet Static", SongTitle: "Static Bloom" } });
    expect(written.json).toEqual({ music_id: expect.any(String) });
    const read = await call(api(`/read?objtype=music&objkey=${written.json.music_id}`));
    expect(read.json.Items).toEqual([{ music_id: written.json.music_id, Artist: "Velvet Static", SongTitle: "Static Bloom" }]);
  });

  it("sets every field of the update body, including names DynamoDB reserves", async () => {
    const { json } = await call(api("/write"), { method: "POST", body: { objtype: "user", fname: "Mateo", lname: "L", email: "m@example.org" } });
    const updated = await call(api(`/update?objtype=user&objkey=${json.user_id}`), { method: "PUT", body: { email: "new@example.org", name: "reserved word" } });
    expect(updated.status).toBe(200);
    expect(updated.json.Attributes).toEqual({ user_id: json.user_id, fname: "Mateo", lname: "L", email: "new@example.org", name: "reserved word" });
    const read = await call(api(`/read?objtype=user&objkey=${json.user_id}`));
    expect(read.json.Items[0].email).toBe("new@example.org");
  });

  it("answers 404 for an update of an object that does not exist instead of creating it", async () => {
    const updated = await call(api("/update?objtype=user&objkey=no-such-user"), { method: "PUT", body: { email: "x@example.org" } });
    expect(updated.status).toBe(404);
    expect(updated.json.error).toContain("no-such-user");
    const read = await call(api("/read?objtype=user&objkey=no-such-user"));
    expect(read.json.Count).toBe(0);
  });

  it("deletes, after which a read finds nothing (200, Count 0, as in the course)", async () => {
    const { json } = await call(api("/write"), { method: "POST", body: { objtype: "user", fname: "Priya", lname: "R", email: "p@example.org" } });
    const deleted = await call(api(`/delete?objtype=user&objkey=${json.user_id}`), { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({});
    const read = await call(api(`/read?objtype=user&objkey=${json.user_id}`));
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ Count: 0, Items: [], ScannedCount: 0 });
  });
});

describe("bad input is a 400 with a JSON error naming the problem", () => {
  it.each([
    ["read", "GET", "/read?objtype=playlist&objkey=1", undefined],
    ["delete", "DELETE", "/delete?objtype=playlist&objkey=1", undefined],
    ["update", "PUT", "/update?objtype=playlist&objkey=1", { a: 1 }],
    ["write", "POST", "/write", { objtype: "playlist", a: 1 }],
  ])("an unknown objtype on %s", async (_route, method, path, body) => {
    const answer = await call(api(path), { method, body });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: 'unknown objtype "playlist": use one of user, music' });
  });

  it("malformed JSON", async () => {
    const answer = await call(api("/write"), { method: "POST", body: '{"objtype": "user",' });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/not valid JSON/);
  });

  it("a write without objtype", async () => {
    const answer = await call(api("/write"), { method: "POST", body: { fname: "x" } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe("body must have required property 'objtype'");
  });

  it("a read without objkey", async () => {
    const answer = await call(api("/read?objtype=user"));
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe("querystring must have required property 'objkey'");
  });

  it("an empty update, or one that would change the key", async () => {
    const empty = await call(api("/update?objtype=user&objkey=1"), { method: "PUT", body: {} });
    expect(empty.status).toBe(400);
    const rekey = await call(api("/update?objtype=user&objkey=1"), { method: "PUT", body: { user_id: "2" } });
    expect(rekey.status).toBe(400);
    expect(rekey.json.error).toMatch(/^user_id is the object's key/);
  });

  it("a write that tries to choose its own key", async () => {
    const answer = await call(api("/write"), { method: "POST", body: { objtype: "user", user_id: "mine" } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/^user_id is chosen by the datastore/);
  });
});

describe("POST /load: bulk seeding with given uuids, for svc-loader only", () => {
  const song = { objtype: "music", uuid: "7d1e2f3a-0000-4000-8000-000000000001", Artist: "Okonkwo Quartet", SongTitle: "Slow Rain" };

  it("refuses a caller without credentials, with a Basic challenge", async () => {
    const answer = await call(api("/load"), { method: "POST", body: song });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "missing auth" });
    expect(answer.headers.get("www-authenticate")).toBe('Basic realm="svc-loader"');
  });

  it("refuses a wrong password and a wrong user", async () => {
    for (const authorization of [basic("svc-loader", "wrong"), basic("someone", LOADER_TOKEN)]) {
      const answer = await call(api("/load"), { method: "POST", body: song, authorization });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: "invalid credentials for /load" });
    }
    const read = await call(api(`/read?objtype=music&objkey=${song.uuid}`));
    expect(read.json.Count).toBe(0);
  });

  it("stores the object under its uuid for svc-loader with the right password", async () => {
    const answer = await call(api("/load"), { method: "POST", body: song, authorization: basic("svc-loader", LOADER_TOKEN) });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ music_id: song.uuid });
    const read = await call(api(`/read?objtype=music&objkey=${song.uuid}`));
    expect(read.json.Items).toEqual([{ music_id: song.uuid, Artist: "Okonkwo Quartet", SongTitle: "Slow Rain" }]);
  });

  it("needs the uuid", async () => {
    const answer = await call(api("/load"), { method: "POST", body: { objtype: "music", Artist: "x" }, authorization: basic("svc-loader", LOADER_TOKEN) });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe("body must have required property 'uuid'");
  });
});

describe("probes and metrics", () => {
  it("answers health and readiness under the prefix, metrics at the root", async () => {
    expect((await call(api("/health"))).json).toEqual({ status: "ok" });
    expect((await call(api("/readiness"))).json).toEqual({ status: "ready" });
    const metrics = await call(db.url("/metrics"));
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/datastore\/write",status_code="200"\} [1-9]/);
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/datastore\/read",status_code="200"\} [1-9]/);
  });
});
