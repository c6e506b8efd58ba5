/** rng as a process: random bytes, one request at a time after the lesson's 0.1 s. */
import { get } from "node:http";
import { run, waitFor, type ServiceProcess } from "@container-labs/test-kit";
import { readMetric, scriptOf, startLabService } from "../../test/lab";

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

test("GET /<n> answers exactly n random bytes as application/octet-stream, large n too, as the course's rng", async () => {
  for (const n of [0, 1, 32, 1000, 100000, 1048576]) {
    const response = await fetch(fullSpeed.url(`/${n}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect((await response.arrayBuffer()).byteLength).toBe(n);
  }
  const [a, b] = await Promise.all([fullSpeed.url("/32"), fullSpeed.url("/32")].map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())));
  expect(a.equals(b)).toBe(false);
});

test("n beyond rng's limit of 1 MiB is refused with 400 naming the limit", async () => {
  for (const n of ["1048577", "99999999999"]) {
    const response = await fetch(fullSpeed.url(`/${n}`));
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`n=${n} is more than rng's limit of 1048576 bytes per request\n`);
  }
});

test("n that is not a whole number is refused with 400 naming it", async () => {
  for (const n of ["-1", "1.5", "abc"]) {
    const response = await fetch(fullSpeed.url(`/${n}`));
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`n must be a whole number of bytes from 0 to 1048576, not "${n}"\n`);
  }
});

test("GET / is the banner", async () => {
  expect(await (await fetch(fullSpeed.url("/"))).text()).toMatch(/^RNG running on \S+\n$/);
});

// The time is the behaviour here: served one at a time, ten requests cannot take less than ten
// delays (1 s); without the delay they take milliseconds (0.4 s once on the loaded machine, so the
// bound for "no delay" is the floor of ten delays, not a third of it). The upper bound keeps 3x.
test("with the lesson's delay it serves one request at a time: ten concurrent requests take at least ten delays", async () => {
  const seconds = await timeConcurrentRequests(lessonPaced, 10);
  expect(seconds).toBeGreaterThanOrEqual(0.9);
  expect(seconds).toBeLessThan(3);
});

test("with LESSON_DELAY_MS=0 the same ten requests wait for no delay", async () => {
  expect(await timeConcurrentRequests(fullSpeed, 10)).toBeLessThan(0.9);
});

test("the health route does not wait in the queue: it answers while ten requests are still in line", async () => {
  let queueServed = false;
  const queued = timeConcurrentRequests(lessonPaced, 10).finally(() => (queueServed = true));
  await waitFor("ten requests in line", async () => (await readMetric(lessonPaced, "rng_queue_depth")) === 10, { intervalMs: 10 });
  const health = await fetch(lessonPaced.url("/health"));
  expect(health.status).toBe(200);
  // In line, it would be answered after the ten, which take ten delays (1 s) or more.
  expect(queueServed).toBe(false);
  await queued;
});

test("a bad LESSON_DELAY_MS stops rng at start with a message naming it", async () => {
  const rng = run("rng", process.execPath, { args: [scriptOf("rng")], env: { LESSON_DELAY_MS: "slow" } });
  expect(await rng.exited).toEqual({ code: 1, signal: null });
  expect(rng.logLines()).toEqual([expect.objectContaining({ level: "fatal", err: expect.stringContaining('LESSON_DELAY_MS="slow" is not valid') })]);
});

test("the line is bounded: past QUEUE_LIMIT requests, more are turned away at once with 503 and Retry-After", async () => {
  const rng = await startLabService("rng", { LESSON_DELAY_MS: "250", QUEUE_LIMIT: "4" });
  try {
    let answered = 0;
    const answers = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const response = await fetch(rng.url("/32"));
        const text = await response.text();
        return { status: response.status, retryAfter: response.headers.get("retry-after"), text, order: answered++ };
      }),
    );
    const served = answers.filter((answer) => answer.status === 200);
    const turnedAway = answers.filter((answer) => answer.status === 503);
    expect(served).toHaveLength(4);
    expect(turnedAway).toHaveLength(6);
    // At once: every refusal comes before the first request served, which waits a delay (250 ms).
    const firstServed = Math.min(...served.map((answer) => answer.order));
    for (const answer of turnedAway) {
      expect(answer.retryAfter).toBe("1");
      expect(answer.text).toBe("rng is busy: 4 requests are already in line (QUEUE_LIMIT); retry after 1 s\n");
      expect(answer.order).toBeLessThan(firstServed);
    }
    expect(await readMetric(rng, "rng_turned_away_total")).toBe(6);
    // Once the line has room again, requests are served.
    expect((await fetch(rng.url("/32"))).status).toBe(200);
  } finally {
    await rng.stop();
  }
});

/** GET on its own connection from `localAddress`: another client than 127.0.0.1 when it is 127.0.0.2. */
function getFrom(url: string, localAddress: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    }).on("error", reject);
  });
}

test("one client holds at most QUEUE_LIMIT_PER_CLIENT places, so another client still gets in", async () => {
  const rng = await startLabService("rng", { LESSON_DELAY_MS: "100", QUEUE_LIMIT: "8", QUEUE_LIMIT_PER_CLIENT: "3" });
  try {
    const flood = Promise.all(Array.from({ length: 6 }, () => getFrom(rng.url("/32"), "127.0.0.2")));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = await getFrom(rng.url("/32"), "127.0.0.3");
    const answers = await flood;
    expect(other.status).toBe(200);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 503).map((answer) => answer.text)).toEqual(
      Array(3).fill("rng is busy: this client already has 3 requests in line (QUEUE_LIMIT_PER_CLIENT); retry after 1 s\n"),
    );
  } finally {
    await rng.stop();
  }
});

test("QUEUE_LIMIT_PER_CLIENT over QUEUE_LIMIT stops rng at start naming it", async () => {
  const rng = run("rng", process.execPath, { args: [scriptOf("rng")], env: { QUEUE_LIMIT: "8", QUEUE_LIMIT_PER_CLIENT: "9" } });
  expect(await rng.exited).toEqual({ code: 1, signal: null });
  expect(rng.logLines()).toEqual([
    expect.objectContaining({ level: "fatal", err: 'QUEUE_LIMIT_PER_CLIENT="9" is not valid: an integer from 1 to 8' }),
  ]);
});
