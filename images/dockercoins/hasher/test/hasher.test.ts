/** hasher as a process: the hex SHA-256 of whatever bytes are POSTed, one request at a time. */
import { createHash, randomBytes } from "node:crypto";
import type { ServiceProcess } from "@container-labs/test-kit";
import { readMetric, startLabService } from "../../worker/test/lab";

let hasher: ServiceProcess;

beforeAll(async () => {
  hasher = await startLabService("hasher", { LESSON_DELAY_MS: "100" });
});

afterAll(async () => {
  await hasher?.stop();
});

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

async function hash(body: Buffer | string, contentType = "application/octet-stream"): Promise<Response> {
  return fetch(hasher.url("/"), { method: "POST", body, headers: { "content-type": contentType } });
}

test("POST / answers the hex SHA-256 of the body, as text/plain", async () => {
  const bytes = randomBytes(32);
  const response = await hash(bytes);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  expect(await response.text()).toBe(sha256(bytes));
});

test("the body is hashed as bytes whatever its declared type, and an empty body hashes too", async () => {
  const json = '{"a": 1}';
  expect(await (await hash(json, "application/json")).text()).toBe(sha256(json));
  expect(await (await hash("hello", "text/plain")).text()).toBe(sha256("hello"));
  expect(await (await fetch(hasher.url("/"), { method: "POST" })).text()).toBe(sha256(""));
});

test("it serves one request at a time and counts what it served in hasher_served_total", async () => {
  const before = await readMetric(hasher, "hasher_served_total");
  const started = performance.now();
  await Promise.all(Array.from({ length: 5 }, (_, i) => hash(`body ${i}`).then((response) => response.text())));
  const seconds = (performance.now() - started) / 1000;
  expect(seconds).toBeGreaterThanOrEqual(0.45);
  expect(seconds).toBeLessThan(0.9);
  expect(await readMetric(hasher, "hasher_served_total")).toBe(before + 5);
});

test("GET / is the banner", async () => {
  expect(await (await fetch(hasher.url("/"))).text()).toMatch(/^HASHER running on \S+\n$/);
});
