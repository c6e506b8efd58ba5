import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** After a refusal, the disk is measured again (files may have been removed by hand), at most this often. */
const REMEASURE_INTERVAL_MS = 5000;

/** The bytes uploads take in `dir`: every visible regular file (hidden ones are uploads under way). */
export function measureUsage(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    try {
      total += statSync(join(dir, entry.name)).size;
    } catch {
      // Removed between the listing and the stat: it takes no space.
    }
  }
  return total;
}

export type Claim = { granted: true } | { granted: false; usedBytes: number; quotaBytes: number };

/** What a worker asks before it keeps an upload, and tells once it has (or has not) kept it. */
export interface MediaQuota {
  claim(bytes: number): Promise<Claim>;
  settle(bytes: number, kept: boolean): void;
}

/**
 * The quota's one ledger, kept by the primary for all workers, so together
 * they never keep more than the quota. Used space is what was on disk at
 * start, plus what was kept since, plus claims whose files are being linked.
 */
export class QuotaLedger {
  private onDisk: number;
  private measuredAt: number;
  /** Bytes claimed and not yet settled, per worker pid. */
  private readonly inFlight = new Map<number, number>();

  constructor(private readonly dir: string, readonly quotaBytes: number, private readonly now: () => number = Date.now) {
    this.onDisk = measureUsage(dir);
    this.measuredAt = now();
  }

  get usedBytes(): number {
    let claimed = 0;
    for (const bytes of this.inFlight.values()) claimed += bytes;
    return this.onDisk + claimed;
  }

  claim(worker: number, bytes: number): Claim {
    if (!this.fits(bytes) && this.now() - this.measuredAt >= REMEASURE_INTERVAL_MS) {
      this.onDisk = measureUsage(this.dir);
      this.measuredAt = this.now();
    }
    if (!this.fits(bytes)) return { granted: false, usedBytes: this.usedBytes, quotaBytes: this.quotaBytes };
    this.inFlight.set(worker, (this.inFlight.get(worker) ?? 0) + bytes);
    return { granted: true };
  }

  settle(worker: number, bytes: number, kept: boolean): void {
    this.inFlight.set(worker, Math.max(0, (this.inFlight.get(worker) ?? 0) - bytes));
    if (kept) this.onDisk += bytes;
  }

  /** A worker died: its claims will never be settled. */
  forget(worker: number): void {
    this.inFlight.delete(worker);
  }

  private fits(bytes: number): boolean {
    return this.usedBytes + bytes <= this.quotaBytes;
  }
}
