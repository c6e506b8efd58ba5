/**
 * The datastore API (db) over HTTP, against dynalite: the course's routes,
 * bodies and status codes, with its bugs fixed (bad input is a 4xx naming the problem).
 */
import type { ServiceProcess } from "@container-labs/test-kit";
import { courseCheckResp, queryResult, responseMetadata } from "../../test/support/course";
import { basic, bodyless, call } from "../../test/support/http";
import { LOADER_TOKEN, createTables, startDb, startDynalite, type Dynamo } from "../../test/support/stack";

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
  it("stores a user under a new uuid and reads it back as boto3's Query answer, ResponseMetadata included", async () => {
    const written = await call(api("/write"), { method: "POST", body: { objtype: "user", fname: "Ada", lname: "Okafor", email: "ada@example.org" } });
    expect(written.status).toBe(200);
    expect(written.json).toEqual({ user_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const read = await call(api(`/read?objtype=user&objkey=${written.json.user_id}`));
    expect(read.status).toBe(200);
    expect(read.json).toEqual(queryResult([{ user_id: written.json.user_id, fname: "Ada", lname: "Okafor", email: "ada@example.org" }]));
    const metadata = read.json.ResponseMetadata;
    expect(metadata.RequestId).toBe(metadata.HTTPHeaders["x-amzn-requestid"]);
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
    // boto3's update_item answer with ReturnValues=ALL_NEW.
    expect(updated.json).toEqual({
      Attributes: { user_id: json.user_id, fname: "Mateo", lname: "L", email: "new@example.org", name: "reserved word" },
      ResponseMetadata: responseMetadata,
    });
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

  it("deletes, answering boto3's delete_item answer; a read then finds nothing (200, Count 0, as in the course)", async () => {
    const { json } = await call(api("/write"), { method: "POST", body: { objtype: "user", fname: "Priya", lname: "R", email: "p@example.org" } });
    const deleted = await call(api(`/delete?objtype=user&objkey=${json.user_id}`), { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ ResponseMetadata: responseMetadata });
    const read = await call(api(`/read?objtype=user&objkey=${json.user_id}`));
    expect(read.status).toBe(200);
    expect(read.json).toEqual(queryResult([]));
  });

  it.each([
    ["curl -H (no Content-Length)", { "content-type": "application/json" }],
    ["Postman (Content-Length: 0)", { "content-type": "application/json", "content-length": "0" }],
  ])("reads and deletes with Content-Type: application/json and no body, as %s sends them", async (_client, headers) => {
    const { json } = await call(api("/write"), { method: "POST", body: { objtype: "user", fname: "Lin", lname: "W", email: "l@example.org" } });
    const read = await bodyless(api(`/read?objtype=user&objkey=${json.user_id}`), "GET", headers);
    expect(read.status).toBe(200);
    expect(read.json.Count).toBe(1);
    const deleted = await bodyless(api(`/delete?objtype=user&objkey=${json.user_id}`), "DELETE", headers);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ ResponseMetadata: responseMetadata });
  });
});

describe("documents DynamoDB cannot store are a 400 naming the problem, before DynamoDB sees them", () => {
  const MAX_ITEM_BYTES = 400 * 1024;
  /** `levels` maps, one inside the other, around a string: the attribute itself is level 1. */
  const nested = (levels: number): unknown => (levels === 0 ? "leaf" : { inner: nested(levels - 1) });
  const write = (fields: Record<string, unknown> | string) =>
    call(api("/write"), { method: "POST", body: typeof fields === "string" ? fields : { objtype: "user", ...fields } });

  it("an item over 400 KB, on write, load and update; one just under is stored", async () => {
    const tooBig = await write({ bio: "x".repeat(MAX_ITEM_BYTES) });
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.error).toMatch(/^the item is 4096\d\d bytes; DynamoDB stores at most 409600 bytes \(400 KB\) per item$/);

    const loaded = await call(api("/load"), {
      method: "POST",
      body: { objtype: "user", uuid: "big-one", bio: "x".repeat(MAX_ITEM_BYTES) },
      authorization: basic("svc-loader", LOADER_TOKEN),
    });
    expect(loaded.status).toBe(400);

    const justUnder = await write({ bio: "x".repeat(MAX_ITEM_BYTES - 100) });
    expect(justUnder.status).toBe(200);
    const update = await call(api(`/update?objtype=user&objkey=${justUnder.json.user_id}`), { method: "PUT", body: { more: "y".repeat(MAX_ITEM_BYTES) } });
    expect(update.status).toBe(400);
    expect(update.json.error).toMatch(/DynamoDB stores at most 409600 bytes/);
  });

  it("an update that would take the stored item over 400 KB, which only DynamoDB can tell", async () => {
    const { json } = await write({ bio: "x".repeat(250_000) });
    const answer = await call(api(`/update?objtype=user&objkey=${json.user_id}`), { method: "PUT", body: { more: "y".repeat(250_000) } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/^DynamoDB refused the request: .*size/i);
  });

  it.each([
    ["too large", { n: 1e126 }, "n", "1e+126"],
    ["too large, negative", { n: -1e126 }, "n", "-1e+126"],
    ["too small", { n: 1e-131 }, "n", "1e-131"],
    ["too large, inside a list in a map", { stats: { history: [1, 2, 5e200] } }, "stats.history[2]", "5e+200"],
  ])("a number %s", async (_case, fields, path, value) => {
    const answer = await write(fields);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe(
      `${path} is ${value}: DynamoDB stores numbers of magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125, or 0`,
    );
  });

  it("stores numbers at both ends of DynamoDB's range, and JSON numbers past 2^53, as JSON reads them", async () => {
    const numbers = { large: 9.99e125, small: 1e-130, negative: -1e-130, zero: 0, past53: 12345678901234567890, fraction: 0.1 };
    const written = await write(numbers);
    expect(written.status).toBe(200);
    const read = await call(api(`/read?objtype=user&objkey=${written.json.user_id}`));
    expect(read.json.Items).toEqual([{ user_id: written.json.user_id, ...numbers }]);
  });

  it("a document nested deeper than DynamoDB's 32 levels; 32 are stored", async () => {
    expect((await write({ deep: nested(31) })).status).toBe(200);
    const answer = await write({ deep: nested(32) });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe(`deep${".inner".repeat(32)} is nested more than 32 levels deep (the attribute is level 1), DynamoDB's limit`);
  });

  it.each([1_000, 100_000])("a document nested %i levels deep never reaches DynamoDB", async (levels) => {
    const before = dynamo.requests();
    const answer = await write(`{"objtype": "user", "deep": ${"[".repeat(levels)}${"]".repeat(levels)}}`);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/^deep(\[0\]){32} is nested more than 32 levels deep/);
    expect(dynamo.requests()).toBe(before);
  });

  it.each([
    ["a number past a double's range, on write", "POST", "/write", `{"objtype": "user", "n": 1e309}`, "n", "Infinity"],
    ["nested in a list in a map, on write", "POST", "/write", `{"objtype": "user", "stats": {"history": [1, -1e309]}}`, "stats.history[1]", "-Infinity"],
    ["on update", "PUT", "/update?objtype=user&objkey=any", `{"n": 1e999}`, "n", "Infinity"],
    ["on load", "POST", "/load", `{"objtype": "user", "uuid": "overflow", "n": -1e400}`, "n", "-Infinity"],
  ])("%s (JSON reads it as ±Infinity), never reaching DynamoDB", async (_case, method, path, body, field, value) => {
    const before = dynamo.requests();
    const answer = await call(api(path), { method, body, authorization: basic("svc-loader", LOADER_TOKEN) });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe(
      `${field} is ${value} (a JSON number past a double's range): DynamoDB stores numbers of magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125, or 0`,
    );
    expect(dynamo.requests()).toBe(before);
  });

  it("a field without a name", async () => {
    const answer = await write({ "": "nameless" });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe("a field name is empty; DynamoDB needs at least one character");
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
  /** /load's errors: ours, and the course's http_status_code and reason, which its loader reads. */
  const loadError = (status: number, message: string) => ({ error: message, http_status_code: status, reason: message });
  const song = { objtype: "music", uuid: "7d1e2f3a-0000-4000-8000-000000000001", Artist: "Okonkwo Quartet", SongTitle: "Slow Rain" };

  it("refuses a caller without credentials, with a Basic challenge", async () => {
    const answer = await call(api("/load"), { method: "POST", body: song });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(loadError(401, "missing auth"));
    expect(answer.headers.get("www-authenticate")).toBe('Basic realm="svc-loader"');
  });

  it("refuses a wrong password and a wrong user", async () => {
    for (const authorization of [basic("svc-loader", "wrong"), basic("someone", LOADER_TOKEN)]) {
      const answer = await call(api("/load"), { method: "POST", body: song, authorization });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(loadError(401, "invalid credentials for /load"));
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
    expect(answer.json).toEqual(loadError(400, "body must have required property 'uuid'"));
  });

  it.each([
    ["a wrong token", { body: song, authorization: basic("svc-loader", "wrong") }, 401],
    ["no credentials", { body: song }, 401],
    ["no uuid", { body: { objtype: "music", Artist: "x" }, authorization: basic("svc-loader", LOADER_TOKEN) }, 400],
    ["an unknown objtype", { body: { ...song, objtype: "playlist" }, authorization: basic("svc-loader", LOADER_TOKEN) }, 400],
    ["malformed JSON", { body: '{"objtype": "music",', authorization: basic("svc-loader", LOADER_TOKEN) }, 400],
  ])("answers %s so that the course's loader reports it instead of crashing", async (_case, request, status) => {
    const answer = await call(api("/load"), { method: "POST", ...request });
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ http_status_code: status, reason: expect.any(String) });
    expect(courseCheckResp(answer.json, "music_id")).toBeNull();
  });

  it("answers a stored object so that the course's loader finds its uuid", async () => {
    const answer = await call(api("/load"), { method: "POST", body: song, authorization: basic("svc-loader", LOADER_TOKEN) });
    expect(courseCheckResp(answer.json, "music_id")).toBe(song.uuid);
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
