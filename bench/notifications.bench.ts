/**
 * The notifications lab: notifications-service under load (a fresh cipher per
 * request, the assignment's fixed body, a refused body), the latency the
 * service reports against the round trip the client sees, and what one
 * short-lived probe run costs. Everything runs as processes on 127.0.0.1.
 * BENCH_SECONDS (default 10) sets each load run's length.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EXAMPLE_BODY, EXAMPLE_SECRET_KEY, freshNotifyBody, secretKeyBytes,
} from "@container-labs/notification-cipher";
import { run as runProcess, startService } from "@container-labs/test-kit";
import { load, percentile, printTable, type Row } from "./harness";

const root = join(__dirname, "..", "images", "notifications");
const serviceScript = join(root, "notifications-service", "dist", "main.js");
const probeScript = join(root, "latency-probe", "dist", "main.js");
const key = secretKeyBytes(EXAMPLE_SECRET_KEY);
const { cipher_data: _example, ...fields } = EXAMPLE_BODY;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 64;
const json = { "content-type": "application/json" };
const PROBE_RUNS = 100;
const FRESH_POOL = 20_000;
const ms = (s: number) => s * 1000;

export async function run(): Promise<void> {
  const service = await startService("notifications-service", { script: serviceScript, args: ["--secret-key", EXAMPLE_SECRET_KEY] });
  const url = service.url("/api/notify");
  try {
    // Each request carries its own cipher (a new nonce, so the service decrypts every one), made before
    // the run: encrypting inside the load generator would measure the generator, which shares the 2 cores.
    const fresh = Array.from({ length: FRESH_POOL }, () => JSON.stringify(freshNotifyBody(key, fields)));
    let next = 0;
    const freshBody = () => fresh[next++ % FRESH_POOL];
    await load({ url, method: "POST", headers: json, durationSeconds: 2, connections, body: freshBody });

    const wrongKey = JSON.stringify(freshNotifyBody(secretKeyBytes("W".repeat(32)), fields));
    const cases: Array<[string, () => string]> = [
      [`a different cipher per request, ${FRESH_POOL} made up front (200)`, freshBody],
      ["assignment's example body (200)", () => JSON.stringify(EXAMPLE_BODY)],
      ["cipher under another key (400)", () => wrongKey],
    ];
    const rows: Row[] = [];
    for (const [name, body] of cases) {
      const r = await load({ url, method: "POST", headers: json, durationSeconds: seconds, connections, body });
      rows.push({ "POST /api/notify": name, "req/s": Math.round(r.requestsPerSecond), "p50 ms": r.p50Ms, "p99 ms": r.p99Ms, "non-2xx": r.non2xx, errors: r.errors });
    }
    printTable(`notifications-service under load: ${connections} connections, ${seconds} s each, LOG_LEVEL=info`, rows);

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
    await service.stop();
  }
}
