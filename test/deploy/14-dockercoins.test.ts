/**
 * dockercoins on the deployed ci stack (3 rng and 2 hasher replicas): the
 * lesson's speed, 3.33 hashes/s per worker, measured with 1 and then 4
 * workers by changing the setting and running `up` as a student does; every
 * replica serving calls; and the page, in headless Chromium, drawing the graph.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CI_STACK, labsOk, REPO_ROOT, sleep, up } from "@container-labs/test-kit";
import { deployed, eventually, http, runPrinted, type Deployed } from "./deployed";

/** The lesson's pace: each call of the worker's loop sleeps 100 ms, then calls rng and hasher (100 ms each). */
const HASHES_PER_SECOND_PER_WORKER = 1000 / 300;
const WINDOW_SECONDS = 20;
const REPLICAS = { rng: 3, hasher: 2 };

let stack: Deployed;
let webui: string;
beforeAll(async () => {
  stack = await deployed();
  webui = stack.labs.dockercoins.urls.webui;
});

afterAll(async () => {
  // Back to the stack file's setting, so the files after this one find the stack as deployed.
  await labsOk(stack.stack, ["pulumi", "config", "rm", "dockercoinsWorkers", "--stack", CI_STACK]);
  await up(stack.stack);
});

/** Hashes per second over the window, from the counter the webui reads (`GET /json`). */
async function hashRate(): Promise<number> {
  const first = (await http(`${webui}json`)).json<{ hashes: number; now: number }>();
  await sleep(WINDOW_SECONDS * 1000);
  const last = (await http(`${webui}json`)).json<{ hashes: number; now: number }>();
  return (last.hashes - first.hashes) / (last.now - first.now);
}

/** Calls each replica of `service` has served on its work route, from its own metrics. */
async function servedByReplica(service: "rng" | "hasher"): Promise<number[]> {
  const route = service === "rng" ? "/:n" : "/";
  const counts: number[] = [];
  for (let replica = 1; replica <= REPLICAS[service]; replica++) {
    const metrics = await stack.docker("exec", `dockercoins-${service}-${replica}`, "node", "-e", "fetch('http://127.0.0.1/metrics').then((r) => r.text()).then(console.log)");
    const line = metrics.split("\n").find((l) => l.startsWith(`http_requests_total{method="${service === "rng" ? "GET" : "POST"}",route="${route}",status_code="200"}`));
    counts.push(Number(line?.split(" ")[1] ?? 0));
  }
  return counts;
}

let rngBefore: number[];
let hasherBefore: number[];

// The rates are the lesson's behaviour, not the machine's speed: each worker waits for the lesson's
// delays, so one worker cannot mine faster than HASHES_PER_SECOND_PER_WORKER. The bounds keep 3x
// margin; how close the rates come to the ceiling is a figure of `npm run bench dockercoins`.
it("mines with one worker, never faster than the lesson's delays allow (3.33 hashes/s)", async () => {
  const rate = await hashRate();
  expect(rate).toBeGreaterThan(HASHES_PER_SECOND_PER_WORKER / 3);
  expect(rate).toBeLessThan(HASHES_PER_SECOND_PER_WORKER * 3);
});

it("mines faster with four workers than one worker ever can, after the labs output's scale line (config set, then up) run as printed", async () => {
  const scale = stack.labs.dockercoins.tryIt.find((line) => line.includes("dockercoinsWorkers 4"))!;
  const printed = await runPrinted(stack.stack, scale, { timeoutMs: 600_000 });
  expect({ exitCode: printed.exitCode, tail: printed.exitCode === 0 ? "" : (printed.stdout + printed.stderr).slice(-4000) }).toEqual({ exitCode: 0, tail: "" });
  expect((await stack.docker("ps", "--format", "{{.Names}}", "--filter", "name=^dockercoins-worker")).split("\n").sort()).toEqual(["dockercoins-worker-1", "dockercoins-worker-2", "dockercoins-worker-3", "dockercoins-worker-4"]);
  [rngBefore, hasherBefore] = [await servedByReplica("rng"), await servedByReplica("hasher")];
  await sleep(5000); // the new workers' first calls
  const rate = await hashRate();
  expect(rate).toBeGreaterThan((4 * HASHES_PER_SECOND_PER_WORKER) / 3);
  expect(rate).toBeLessThan(4 * HASHES_PER_SECOND_PER_WORKER * 3);
});

it.each(Object.keys(REPLICAS) as ("rng" | "hasher")[])("spreads the calls over every %s replica: each serves at least 20% of them", async (service) => {
  const before = service === "rng" ? rngBefore : hasherBefore;
  const served = (await servedByReplica(service)).map((count, replica) => count - before[replica]);
  const total = served.reduce((sum, count) => sum + count, 0);
  expect(total).toBeGreaterThan(100);
  for (const count of served) expect(count / total).toBeGreaterThanOrEqual(0.2);
});

it("draws the mining speed in the page, opened in headless Chromium from the deployed webui", async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const scriptErrors: string[] = [];
    page.on("pageerror", (err) => scriptErrors.push(err.message));
    await page.goto(webui);
    const points = await eventually("five points of speed on the graph", async () => {
      const data = (await page.evaluate('Chart.getChart("graph").data.datasets[0].data')) as number[];
      return data.length >= 5 ? data : undefined;
    });
    expect(points.slice(-3).every((speed) => speed > 0)).toBe(true);
    expect(Number(await page.locator("#speed").textContent())).toBeGreaterThan(0);
    mkdirSync(join(REPO_ROOT, "test-artifacts"), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, "test-artifacts", "deployed-dockercoins-webui.png") });
    expect(scriptErrors).toEqual([]);
  } finally {
    await browser.close();
  }
});
