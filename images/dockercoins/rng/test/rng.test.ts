/** rng as a process: random bytes, one request at a time after the lesson's 0.1 s. */
import { run, type ServiceProcess } from "@container-labs/test-kit";
import { scriptOf, startLabService } from "../../worker/test/lab";

let lessonPaced: ServiceProcess;
let fullSpeed: ServiceProcess;

beforeAll(async () => {
  [lessonPaced, fullSpeed] = await Promise.all([
    startLabService("rng", { LESSON_DELAY_MS: "100" }),
    startLabService("rng", { LESSON_DELAY_MS: "0" }),
  ]);
});

afterAll(async () => {
  await Promise.all([lessonPaced?.stop(), fullSpeed?.stop()]);
});

async function timeConcurrentRequests(rng: ServiceProcess, count: number): Promise<number> {
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(rng.url("/32"));
      await response.arrayBuffer();
      return response.status;
    }),
  );
  expect(statuses).toEqual(Array(count).fill(200));
  return (performance.now() - started) / 1000;
}

test("GET /<n> answers exactly n random bytes as application/octet-stream", async () => {
  for (const n of [0, 1, 32, 1000]) {
    const response = await fetch(fullSpeed.url(`/${n}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect((await response.arrayBuffer()).byteLength).toBe(n);
  }
  const [a, b] = await Promise.all([fullSpeed.url("/32"), fullSpeed.url("/32")].map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())));
  expect(a.equals(b)).toBe(false);
});

test("n beyond 65536 bytes, or not a whole number, is refused with 400", async () => {
  for (const n of ["65537", "99999999999", "-1", "1.5", "abc"]) {
    const response = await fetch(fullSpeed.url(`/${n}`));
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("n must be a whole number of bytes from 0 to 65536\n");
  }
  expect((await fetch(fullSpeed.url("/65536"))).status).toBe(200);
});

test("GET / is the banner", async () => {
  expect(await (await fetch(fullSpeed.url("/"))).text()).toMatch(/^RNG running on \S+\n$/);
});

test("with the lesson's delay it serves one request at a time: ten concurrent requests take about a second", async () => {
  const seconds = await timeConcurrentRequests(lessonPaced, 10);
  expect(seconds).toBeGreaterThanOrEqual(0.9);
  expect(seconds).toBeLessThan(1.5);
});

test("with LESSON_DELAY_MS=0 the same ten requests are fast", async () => {
  expect(await timeConcurrentRequests(fullSpeed, 10)).toBeLessThan(0.3);
});

test("the health route does not wait in the queue", async () => {
  const queued = timeConcurrentRequests(lessonPaced, 10);
  const started = performance.now();
  const health = await fetch(lessonPaced.url("/health"));
  expect(health.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(200);
  await queued;
});

test("a bad LESSON_DELAY_MS stops rng at start with a message naming it", async () => {
  const rng = run("rng", process.execPath, { args: [scriptOf("rng")], env: { LESSON_DELAY_MS: "slow" } });
  expect(await rng.exited).toEqual({ code: 1, signal: null });
  expect(rng.logLines()).toEqual([expect.objectContaining({ level: "fatal", err: expect.stringContaining('LESSON_DELAY_MS="slow" is not valid') })]);
});
