import { setTimeout as sleep } from "node:timers/promises";

/** Waits `ms`, or less if `signal` aborts first (shutdown must not wait out a back-off). */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** Doubling waits between retries, from `firstMs` up to `maxMs`; reset after a success. */
export class Backoff {
  private nextMs: number;

  constructor(private readonly firstMs: number, private readonly maxMs: number) {
    this.nextMs = firstMs;
  }

  next(): number {
    const wait = Math.min(this.nextMs, this.maxMs);
    this.nextMs = Math.min(this.nextMs * 2, this.maxMs);
    return wait;
  }

  reset(): void {
    this.nextMs = this.firstMs;
  }
}
