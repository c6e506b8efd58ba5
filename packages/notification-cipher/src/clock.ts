/**
 * Unix epoch seconds with sub-millisecond resolution. Date.now() counts whole
 * milliseconds, too coarse for a request on loopback; the high-resolution
 * clock is anchored to the wall clock and re-anchored whenever the two part by
 * more than a few milliseconds (the wall clock was stepped).
 */
import { performance } from "node:perf_hooks";

const MAX_DRIFT_MS = 5;
let anchorMs = performance.timeOrigin;

export function epochSeconds(): number {
  const precise = anchorMs + performance.now();
  const wall = Date.now();
  if (Math.abs(precise - wall) > MAX_DRIFT_MS) {
    anchorMs = wall - performance.now();
    return wall / 1000;
  }
  return precise / 1000;
}
