/**
 * What every lab service runs with, whichever way the platform runs it (a
 * container on one host, or a swarm service): log rotation, the size of its
 * scratch tmpfs, and the timings of a healthcheck.
 */
import type { Healthcheck } from "./serviceArgs";

/** json-file logs, rotated: three files of 10 MB at most. */
export const LOG_ROTATION = { "max-size": "10m", "max-file": "3" };

/** The size of /tmp and of each scratch directory under a read-only root. */
export const TMPFS_SIZE_MB = 64;

/** A healthcheck's timings, each written as Docker reads it back (Go's duration format). */
function healthcheckTimings(healthcheck?: Healthcheck) {
  return { interval: `${healthcheck?.intervalSeconds ?? 10}s`, timeout: "5s", retries: healthcheck?.retries ?? 3, startPeriod: "10s" };
}

/**
 * The healthcheck a service states: the image's own when unset. Docker fills
 * every zero field of a healthcheck from the image's, NONE or not, so a
 * disabled one states its timings too: otherwise what is made reads back
 * other values than the program's, and the next `up` shows a diff.
 */
export function healthcheckSpec(healthcheck: Healthcheck | "none" | undefined) {
  return healthcheck === "none"
    ? { tests: ["NONE"], ...healthcheckTimings() }
    : healthcheck && { tests: healthcheck.test, ...healthcheckTimings(healthcheck) };
}
