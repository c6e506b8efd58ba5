/**
 * What every lab's benchmark shares: an HTTP load run with autocannon, the
 * generator and the servers on cores of their own with their CPU use per run
 * (bench/cpu.ts), and a printed table. Benchmarks print figures; they assert nothing.
 */
import autocannon from "autocannon";
import { boundBy, measureRound, type RoundCpu } from "./cpu";

export interface LoadOptions {
  url: string;
  connections?: number;
  durationSeconds?: number;
  method?: "GET" | "POST" | "PUT";
  headers?: Record<string, string>;
  /** A fresh body per request (e.g. a newly encrypted notification). */
  body?: () => string;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  cpu: RoundCpu;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const makeBody = options.body;
  const { result, cpu } = await measureRound(() => autocannon({
    url: options.url,
    connections: options.connections ?? 64,
    duration: options.durationSeconds ?? 10,
    method: options.method ?? "GET",
    headers: options.headers,
    requests: makeBody ? [{ setupRequest: (request) => ({ ...request, body: makeBody() }) }] : undefined,
  }));
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpu,
  };
}

export type Row = Record<string, string | number>;

/**
 * The columns every load row ends with: the servers' and the generator's CPU
 * (% of one core; medians when the row sums up several rounds) and which of
 * them set the pace. A generator-bound row measured autocannon, not the server.
 */
export function cpuColumns(rounds: RoundCpu[]): Row {
  const median = (values: number[]) => percentile(values, 50);
  const cpu: RoundCpu = {
    serverPercent: median(rounds.map((r) => r.serverPercent)),
    generatorPercent: median(rounds.map((r) => r.generatorPercent)),
    serverCores: rounds[0].serverCores,
  };
  const generatorBound = rounds.filter((r) => boundBy(r) === "generator-bound").length;
  const bound = boundBy(cpu);
  return {
    "server CPU %": Math.round(cpu.serverPercent),
    "generator CPU %": Math.round(cpu.generatorPercent),
    bound: rounds.length > 1 && generatorBound > 0 && bound !== "generator-bound"
      ? `${bound} (${generatorBound} of ${rounds.length} rounds generator-bound)`
      : bound,
  };
}

/** Prints rows as an aligned text table under a title. */
export function printTable(title: string, rows: Row[]): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | number | undefined): string =>
    typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : (value ?? "");
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (cells: string[]): string => cells.map((text, i) => text.padEnd(widths[i])).join("  ");
  console.log(`\n## ${title}\n`);
  console.log(line(columns));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column]))));
}

/** Percentile (0-100) of a list of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
