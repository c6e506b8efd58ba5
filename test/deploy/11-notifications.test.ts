/**
 * notifications on the deployed ci stack: the Command ran the latency probe
 * N times against the service by container name, the host file and the stack
 * output agree, and the course's table holds the group's latency. The probe
 * line run by hand, as printed, is 17-try-lines'.
 */
import { readFileSync } from "node:fs";
import { deployed, type Deployed } from "./deployed";

/** notificationsProbeRuns in test/deploy/ci-stack.yaml (the default). */
const PROBE_RUNS = 3;

let stack: Deployed;
let details: { latencies: number[]; latencyFile: string };
beforeAll(async () => {
  stack = await deployed();
  details = stack.labs.notifications.details as typeof details;
});

const fileLines = (): string[] => readFileSync(details.latencyFile, "utf8").split("\n").filter(Boolean);

it("ran the probe N times: the host file holds the N latencies of the stack output, in a row, each under 1 s", () => {
  expect(details.latencies).toHaveLength(PROBE_RUNS);
  // Under 1 s is what the lab promises each run (milliseconds between containers, so far over 3x);
  // a stale timestamp would read as years.
  for (const latency of details.latencies) {
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(1);
  }
  const lines = fileLines().map(Number);
  const at = lines.indexOf(details.latencies[0]);
  expect(lines.slice(at, at + PROBE_RUNS)).toEqual(details.latencies);
});

it("stored the group's latency in the course's notification table (one row per measurement: the probe repeats its one)", async () => {
  const rows = await stack.docker("exec", "notifications-db", "psql", "-U", "notifications", "-d", "notifications", "-tAc", "SELECT group_id, latency < 1 FROM demo.notification");
  expect(rows.split("\n")).toEqual(["ci-group|t"]);
});
