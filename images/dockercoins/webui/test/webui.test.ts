/** webui as a process against a real redis-server: GET /json as the course answers it, and the page's files. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { startRedis, waitFor, type Dependency, type ServiceProcess } from "@container-labs/test-kit";
import { closeTestRedis, connectTestRedis, startLabService, type RedisClient } from "../../test/lab";

let redisServer: Dependency;
let redis: RedisClient;
let webui: ServiceProcess;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = await connectTestRedis(redisServer.url);
  webui = await startLabService("webui", { REDIS_URL: redisServer.url });
});

afterAll(async () => {
  await webui?.stop();
  await closeTestRedis(redis);
  await redisServer?.stop();
});

async function json(): Promise<{ status: number; body: unknown }> {
  const response = await fetch(webui.url("/json"));
  return { status: response.status, body: await response.json() };
}

test("GET /json before any worker reports: no coins, no hashes, the server's clock", async () => {
  const { status, body } = await json();
  expect(status).toBe(200);
  expect(body).toEqual({ coins: 0, hashes: 0, now: expect.any(Number) });
  // The server's clock, read on this machine: milliseconds apart, so 2 s keeps far over 3x.
  expect(Math.abs((body as { now: number }).now - Date.now() / 1000)).toBeLessThan(2);
});

test("GET /json: coins is HLEN wallet, hashes is GET hashes as a number, now has a fraction of a second", async () => {
  await redis.set("hashes", "1234");
  await redis.hSet("wallet", { ["0".repeat(64)]: "a", ["0".padEnd(64, "1")]: "b", ["0".padEnd(64, "2")]: "c" });
  const samples = await Promise.all([json(), json(), json()]);
  for (const { body } of samples) expect(body).toEqual({ coins: 3, hashes: 1234, now: expect.any(Number) });
  expect(samples.some(({ body }) => !Number.isInteger((body as { now: number }).now))).toBe(true);
});

test("GET /json has exactly the course's keys; hashes is a number where the course's is redis's string", async () => {
  await redis.set("hashes", "42");
  const { body } = await json();
  expect(Object.keys(body as object).sort()).toEqual(["coins", "hashes", "now"]);
  const { coins, hashes, now } = body as Record<string, unknown>;
  expect([typeof coins, typeof hashes, typeof now]).toEqual(["number", "number", "number"]);
  expect(hashes).toBe(42);
});

test("the page is served at / and /index.html, with its scripts and chart.js from webui itself", async () => {
  for (const path of ["/", "/index.html"]) {
    const response = await fetch(webui.url(path));
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    for (const script of ["vendor/chart.umd.js", "speed.js", "app.js"]) expect(html).toContain(`<script src="${script}">`);
  }
  const chart = await fetch(webui.url("/vendor/chart.umd.js"));
  expect(chart.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  const packaged = readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.js"), "utf8");
  expect(await chart.text()).toBe(packaged);
  expect((await fetch(webui.url("/app.js"))).status).toBe(200);
  expect((await fetch(webui.url("/speed.js"))).status).toBe(200);
});

test("while redis is away /json and /ready answer 503 at once, and recover when it is back", async () => {
  const port = redisServer.port;
  await redisServer.stop();
  const started = performance.now();
  const { status, body } = await json();
  expect(status).toBe(503);
  expect(body).toEqual({ error: "redis is unreachable" });
  // "At once": the answer takes milliseconds, where waiting on the client's reconnects would take
  // seconds or forever. 1 s keeps far over 3x.
  expect(performance.now() - started).toBeLessThan(1000);
  expect((await fetch(webui.url("/ready"))).status).toBe(503);
  expect((await fetch(webui.url("/health"))).status).toBe(200);

  redisServer = await startRedis(port);
  await waitFor("webui to read redis again", async () => (await json()).status === 200);
  expect((await json()).body).toEqual({ coins: 0, hashes: 0, now: expect.any(Number) });
});
