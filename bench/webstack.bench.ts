/**
 * webstack: `GET /` through nginx to the app, with 1 and with 4 app workers
 * (WEB_CONCURRENCY), at 64 connections. Shows what gunicorn-style worker
 * processes buy behind one nginx. Needs `npm run build -w images/webstack/app`.
 */
import { load, printTable, type Row } from "./harness";
import { startStack } from "../images/webstack/nginx/test/stack";

const CONNECTIONS = 64;
const DURATION_SECONDS = 10;

export async function run(): Promise<void> {
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
      });
    } finally {
      await stack.stop();
    }
  }
  printTable(`GET / through nginx -> app (${DURATION_SECONDS} s per row, ${CONNECTIONS} connections)`, rows);
}
