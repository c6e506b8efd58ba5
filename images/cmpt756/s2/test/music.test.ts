/**
 * s2, the music service, in front of db and dynalite. Every route under its
 * prefix needs a token; tokens come from s1's login (both share JWT_SECRET).
 */
import { SignJWT } from "jose";
import type { ServiceProcess } from "@container-labs/test-kit";
import { queryResult, responseMetadata } from "../../test/support/course";
import { bodyless, call } from "../../test/support/http";
import { JWT_SECRET, startCmpt756, type Cmpt756Processes } from "../../test/support/stack";

let lab: Cmpt756Processes;
let s1: ServiceProcess;
let s2: ServiceProcess;
let token: string;
const api = (path: string): string => s2.url(`/api/v1/music${path}`);
const song = { Artist: "The Harbour Lights", SongTitle: "Northbound Ferry" };

beforeAll(async () => {
  lab = await startCmpt756("s2");
  ({ s1, s2 } = lab);
  const user = await call(s1.url("/api/v1/user/"), { method: "POST", body: { fname: "Jonah", lname: "W", email: "j@example.org" } });
  token = (await call(s1.url("/api/v1/user/login"), { method: "PUT", body: { uid: user.json.user_id } })).text;
});

afterAll(async () => {
  await lab?.stop();
});

describe("with a token from s1's login", () => {
  it("creates a song, reads it back in the Query shape, deletes it, then reads nothing", async () => {
    const created = await call(api("/"), { method: "POST", body: song, authorization: token });
    expect(created.status).toBe(200);
    const musicId = created.json.music_id as string;
    expect(musicId).toMatch(/^[0-9a-f-]{36}$/);

    const read = await call(api(`/${musicId}`), { authorization: `Bearer ${token}` });
    expect(read.json).toEqual(queryResult([{ music_id: musicId, ...song }]));

    const deleted = await call(api(`/${musicId}`), { method: "DELETE", authorization: token });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ ResponseMetadata: responseMetadata });
    expect((await call(api(`/${musicId}`), { authorization: token })).json).toEqual(queryResult([]));
  });

  it("reads and deletes with Content-Type: application/json and no body, as Postman sends them", async () => {
    const { json } = await call(api("/"), { method: "POST", body: song, authorization: token });
    const headers = { "content-type": "application/json", "content-length": "0", authorization: token };
    const read = await bodyless(api(`/${json.music_id}`), "GET", headers);
    expect(read.status).toBe(200);
    expect(read.json.Count).toBe(1);
    expect((await bodyless(api(`/${json.music_id}`), "DELETE", headers)).status).toBe(200);
  });

  it("passes on the datastore's 400 for a song it cannot store (over 400 KB), not a 502", async () => {
    const answer = await call(api("/"), { method: "POST", body: { ...song, SongTitle: "la".repeat(210_000) }, authorization: token });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/DynamoDB stores at most 409600 bytes \(400 KB\) per item$/);
  });

  it("answers 400 naming SongTitle when it is missing, and for malformed JSON", async () => {
    const missing = await call(api("/"), { method: "POST", body: { Artist: "x" }, authorization: token });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error: "body must have required property 'SongTitle'" });
    const malformed = await call(api("/"), { method: "POST", body: "{", authorization: token });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatch(/not valid JSON/);
  });
});

describe("the collection's URL without an id", () => {
  it.each(["GET", "DELETE"])("%s /api/v1/music/ answers 405 naming the URL meant, with or without a token", async (method) => {
    for (const authorization of [undefined, token]) {
      const answer = await call(api("/"), { method, authorization });
      expect(answer.status).toBe(405);
      expect(answer.headers.get("allow")).toBe("POST");
      expect(answer.json).toEqual({ error: `${method} /api/v1/music/ needs a music_id: ${method} /api/v1/music/<music_id>` });
    }
  });
});

describe("every route but health and readiness needs the header", () => {
  it.each([
    ["POST", "/"],
    ["GET", "/some-id"],
    ["DELETE", "/some-id"],
  ])("%s %s answers 401 missing auth without it", async (method, path) => {
    const answer = await call(api(path), { method, body: method === "POST" ? song : undefined });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "missing auth" });
  });

  it("refuses a forged and an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ user_id: "x" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now + 600)
      .sign(new TextEncoder().encode("another-secret-of-at-least-32-characters"));
    const expired = await new SignJWT({ user_id: "x" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now - 10)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const forgedAnswer = await call(api("/"), { method: "POST", body: song, authorization: forged });
    expect(forgedAnswer.status).toBe(401);
    expect(forgedAnswer.json).toEqual({ error: "invalid token: signature verification failed" });
    const expiredAnswer = await call(api("/"), { method: "POST", body: song, authorization: expired });
    expect(expiredAnswer.status).toBe(401);
    expect(expiredAnswer.json).toEqual({ error: "token expired" });
  });

  it("answers health and readiness under the prefix without a token, metrics at the root", async () => {
    expect((await call(api("/health"))).json).toEqual({ status: "ok" });
    expect((await call(api("/readiness"))).json).toEqual({ status: "ready" });
    const metrics = await call(s2.url("/metrics"));
    expect(metrics.text).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/music",status_code="401"\} [1-9]/);
  });
});
