/**
 * webstack: `GET /` through nginx to the app, with 1 and with 4 app workers
 * (WEB_CONCURRENCY), at 64 connections: what gunicorn-style worker processes
 * buy behind one nginx. Then an upload flood through nginx against a small
 * media quota: what is stored stays within it. Needs `npm run build -w images/webstack/app`.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { cpuColumns, load, printTable, type Row } from "./harness";
import { multipartFile } from "../images/webstack/test/webstack";
import { startStack } from "../images/webstack/nginx/test/stack";

const CONNECTIONS = 64;
const DURATION_SECONDS = 10;

const UPLOAD_CONNECTIONS = 16;
const UPLOAD_BYTES = 100 * 1024;
const QUOTA_BYTES = 20 * 1024 * 1024;
const BOUNDARY = "----webstack-bench";

async function helloWorld(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const workers of [1, 4]) {
    const stack = await startStack({ workers });
    try {
      // Warm up: worker JIT, nginx's upstream keepalive pool.
      await load({ url: stack.url("/"), connections: CONNECTIONS, durationSeconds: 2 });
      const result = await load({ url: stack.url("/"), connections: CONNECTIONS, durationSeconds: DURATION_SECONDS });
      rows.push({
        "app workers": workers,
        connections: CONNECTIONS,
        "requests/s": Math.round(result.requestsPerSecond),
        "p50 ms": result.p50Ms,
        "p99 ms": result.p99Ms,
        non2xx: result.non2xx,
        errors: result.errors,
        ...cpuColumns([result.cpu]),
      });
    } finally {
      await stack.stop();
    }
  }
  return rows;
}

/** Uploads of distinct names as fast as 16 connections go, until and past the quota. */
async function uploadFlood(): Promise<Row[]> {
  const stack = await startStack({ workers: 2, env: { MEDIA_QUOTA_BYTES: String(QUOTA_BYTES) } });
  try {
    const content = "x".repeat(UPLOAD_BYTES);
    let sent = 0;
    const result = await load({
      url: stack.url("/upload"),
      method: "POST",
      connections: UPLOAD_CONNECTIONS,
      durationSeconds: DURATION_SECONDS,
      headers: multipartFile("", "", BOUNDARY).headers,
      body: () => multipartFile(`flood-${sent++}.txt`, content, BOUNDARY).body.toString("latin1"),
    });
    const stored = readdirSync(stack.volumes.mediaDir).filter((name) => !name.startsWith("."));
    const storedBytes = stored.reduce((total, name) => total + statSync(join(stack.volumes.mediaDir, name)).size, 0);
    return [{
      "uploads/s": Math.round(result.requestsPerSecond),
      "files stored": stored.length,
      "refused (non-2xx)": result.non2xx,
      errors: result.errors,
      "stored, MiB": storedBytes / 1024 / 1024,
      "quota, MiB": QUOTA_BYTES / 1024 / 1024,
      ...cpuColumns([result.cpu]),
    }];
  } finally {
    await stack.stop();
  }
}

export async function run(): Promise<void> {
  printTable(`GET / through nginx -> app (${DURATION_SECONDS} s per row, ${CONNECTIONS} connections)`, await helloWorld());
  printTable(
    `${UPLOAD_BYTES / 1024} KiB uploads through nginx, ${UPLOAD_CONNECTIONS} connections for ${DURATION_SECONDS} s, MEDIA_QUOTA_BYTES=${QUOTA_BYTES}`,
    await uploadFlood(),
  );
}
