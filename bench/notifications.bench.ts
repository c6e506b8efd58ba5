/**
 * The notifications lab: notifications-service under load (a fresh cipher per
 * request, the assignment's fixed body, a refused body) beside three baselines
 * in the same run (a bare node:http server, a minimal fastify route, and that
 * route plus the contract's decryption, all in bench/fixtures), the latency
 * the service reports against the round trip the client sees, and what one
 * short-lived probe run costs. Everything runs as processes on 127.0.0.1.
 * BENCH_SECONDS (default 3) sets each load run's length, BENCH_ROUNDS
 * (default 10) how many times each runs: many short rounds, so that a slow
 * spell of the machine falls on every case alike instead of on one.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EXAMPLE_BODY, EXAMPLE_SECRET_KEY, freshNotifyBody, secretKeyBytes,
} from "@container-labs/notification-cipher";
import { run as runProcess, startService, type ServiceProcess } from "@container-labs/test-kit";
import { cpuColumns, load, percentile, printTable, type LoadResult, type Row } from "./harness";

const root = join(__dirname, "..", "images", "notifications");
const serviceScript = join(root, "notifications-service", "dist", "main.js");
const probeScript = join(root, "latency-probe", "dist", "main.js");
const key = secretKeyBytes(EXAMPLE_SECRET_KEY);
const { cipher_data: _example, ...fields } = EXAMPLE_BODY;
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const connections = 64;
const json = { "content-type": "application/json" };
const PROBE_RUNS = 100;
const FRESH_POOL = 20_000;
const ms = (s: number) => s * 1000;

/** A baseline server of bench/fixtures, a process of its own as the service is. */
function startFixture(name: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService(name, { script: join(__dirname, "fixtures", `${name}.js`), env });
}

interface LoadCase {
  server: string;
  body: string;
  url: string;
  makeBody: () => string;
}

/**
 * Every case once per round, rounds one after the other, so the cases of a
 * round share the machine's load of the moment (the cores are shared, and
 * other work comes and goes). Each row shows its medians over the rounds, its
 * ratios to the minimal fastify route of the same round (the median of
 * those: the figure that carries from machine to machine), and the spread of
 * its req/s, which says how noisy the run was.
 */
async function loadRounds(cases: LoadCase[], baseline: LoadCase): Promise<Row[]> {
  const results = new Map<LoadCase, LoadResult[]>(cases.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      results.get(c)?.push(await load({ url: c.url, method: "POST", headers: json, durationSeconds: seconds, connections, body: c.makeBody }));
    }
  }
  const base = results.get(baseline) ?? [];
  const median = (values: number[]) => percentile(values, 50);
  return cases.map((c) => {
    const runs = results.get(c) ?? [];
    const perSecond = runs.map((r) => r.requestsPerSecond);
    return {
      server: c.server,
      "POST /api/notify": c.body,
      "req/s": Math.round(median(perSecond)),
      "req/s / fastify": median(runs.map((r, i) => r.requestsPerSecond / base[i].requestsPerSecond)),
      "p50 ms": median(runs.map((r) => r.p50Ms)),
      "p99 ms": median(runs.map((r) => r.p99Ms)),
      "p99 / fastify": median(runs.map((r, i) => r.p99Ms / base[i].p99Ms)),
      "req/s spread": `${Math.round(Math.min(...perSecond))}-${Math.round(Math.max(...perSecond))}`,
      "non-2xx": runs.reduce((sum, r) => sum + r.non2xx, 0),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      ...cpuColumns(runs.map((r) => r.cpu)),
    };
  });
}

export async function run(): Promise<void> {
  const service = await startService("notifications-service", { script: serviceScript, args: ["--secret-key", EXAMPLE_SECRET_KEY] });
  const bare = await startFixture("bare-http");
  const fastify = await startFixture("fastify-minimal");
  const decrypting = await startFixture("fastify-minimal", { OPEN_CIPHER: "1" });
  const url = service.url("/api/notify");
  try {
    // Each request carries its own cipher (a new nonce, so the service decrypts every one), made before
    // the run: encrypting inside the load generator would measure the generator, which shares the 2 cores.
    const fresh = Array.from({ length: FRESH_POOL }, () => JSON.stringify(freshNotifyBody(key, fields)));
    let next = 0;
    const freshBody = () => fresh[next++ % FRESH_POOL];
    const example = JSON.stringify(EXAMPLE_BODY);
    const wrongKey = JSON.stringify(freshNotifyBody(secretKeyBytes("W".repeat(32)), fields));

    const freshCipher = `a different cipher per request, ${FRESH_POOL} made up front`;
    const baseline: LoadCase = { server: "minimal fastify route (JSON body parsed, fixed text)", body: freshCipher, url: fastify.url("/api/notify"), makeBody: freshBody };
    const cases: LoadCase[] = [
      { server: "bare node:http (fixed text)", body: freshCipher, url: bare.url("/api/notify"), makeBody: freshBody },
      baseline,
      { server: "the same fastify route + opening the cipher (the contract's floor)", body: freshCipher, url: decrypting.url("/api/notify"), makeBody: freshBody },
      { server: "notifications-service", body: `${freshCipher} (200)`, url, makeBody: freshBody },
      { server: "notifications-service", body: "the assignment's example body (200)", url, makeBody: () => example },
      { server: "notifications-service", body: "a cipher under another key (400)", url, makeBody: () => wrongKey },
    ];
    for (const c of cases) await load({ url: c.url, method: "POST", headers: json, durationSeconds: 2, connections, body: c.makeBody });
    printTable(
      `POST /api/notify under load: ${connections} connections, ${seconds} s a run, medians of ${rounds} rounds, the service at LOG_LEVEL=info; / fastify = ratio to the minimal fastify route in the same round`,
      await loadRounds(cases, baseline),
    );

    // One request at a time: what the service reports against what the client measures.
    const reported: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < 500; i++) {
      const started = performance.now();
      const res = await fetch(url, { method: "POST", headers: json, body: JSON.stringify(freshNotifyBody(key, fields)) });
      const text = await res.text();
      roundTrip.push(performance.now() - started);
      if (res.status !== 200) throw new Error(`fresh notification answered ${res.status}: ${text}`);
      reported.push(ms(Number(text)));
    }
    printTable("500 sequential fresh notifications on one keep-alive connection", [
      { figure: "latency the service answers", "p50 ms": percentile(reported, 50), "p99 ms": percentile(reported, 99) },
      { figure: "round trip the client measures", "p50 ms": percentile(roundTrip, 50), "p99 ms": percentile(roundTrip, 99) },
    ]);

    const dir = mkdtempSync(join(tmpdir(), "probe-bench-"));
    try {
      const probeRows: Row[] = [];
      for (const body of ["example", "fresh"] as const) {
        const file = join(dir, `${body}.txt`);
        const wall: number[] = [];
        for (let i = 0; i < PROBE_RUNS; i++) {
          const started = performance.now();
          // With SECRET_KEY the probe encrypts a fresh body; without it, it sends the assignment's example.
          const proc = runProcess("latency-probe", process.execPath, {
            args: [probeScript],
            env: { NOTIFICATIONS_URL: url, OUTPUT_FILE: file, SECRET_KEY: body === "fresh" ? EXAMPLE_SECRET_KEY : undefined },
          });
          const exit = await proc.exited;
          wall.push(performance.now() - started);
          if (exit.code !== 0) throw new Error(`probe failed: ${proc.output()}`);
        }
        const recorded = readFileSync(file, "utf8").trim().split("\n").map(Number);
        probeRows.push({
          body,
          runs: recorded.length,
          "process p50 ms": percentile(wall, 50),
          "process p99 ms": percentile(wall, 99),
          "recorded latency p50": body === "fresh" ? `${(percentile(recorded, 50) * 1000).toFixed(2)} ms` : `${(percentile(recorded, 50) / 86400 / 365.25).toFixed(2)} years`,
        });
      }
      printTable(`latency-probe: ${PROBE_RUNS} sequential runs each, node process start to exit`, probeRows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await Promise.all([service.stop(), bare.stop(), fastify.stop(), decrypting.stop()]);
  }
}
