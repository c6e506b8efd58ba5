/** The course's rule: a hash that starts with "0" is a coin (one in sixteen). */
export function isCoin(hexHash: string): boolean {
  return hexHash.startsWith("0");
}

/** What one write to redis adds: `seq` lets redis recognise a retried batch. */
export interface Batch {
  readonly seq: number;
  readonly hashes: number;
  /** Coin hash (hex) -> the random bytes that hashed to it. */
  readonly coins: ReadonlyMap<string, Buffer>;
}

/**
 * The worker's count of hashes and coins not yet in redis. A batch taken for
 * writing stays the one handed out, unchanged, until it is confirmed, so a
 * write that failed (or whose answer was lost) is retried as the same batch
 * and never merged with newer counts: redis can then apply it exactly once.
 */
export class Tally {
  private hashes = 0;
  private coins = new Map<string, Buffer>();
  private lastSeq = 0;
  private pending: Batch | undefined;
  /** Totals since start, for the worker's metrics. */
  obtained = 0;
  coinsFound = 0;
  recorded = 0;

  /** Counts one hash that hasher returned for `bytes`. */
  record(hexHash: string, bytes: Buffer): void {
    this.hashes += 1;
    this.obtained += 1;
    if (isCoin(hexHash)) {
      this.coins.set(hexHash, bytes);
      this.coinsFound += 1;
    }
  }

  /** The unconfirmed batch again, else a new batch of everything counted since; undefined when nothing is owed. */
  nextBatch(): Batch | undefined {
    if (this.pending) return this.pending;
    if (this.hashes === 0 && this.coins.size === 0) return undefined;
    this.pending = { seq: ++this.lastSeq, hashes: this.hashes, coins: this.coins };
    this.hashes = 0;
    this.coins = new Map();
    return this.pending;
  }

  /** Redis applied `batch`: forget it. */
  confirm(batch: Batch): void {
    if (this.pending !== batch) return;
    this.pending = undefined;
    this.recorded += batch.hashes;
  }

  /** Hashes counted here and not yet confirmed in redis. */
  get unrecorded(): number {
    return this.hashes + (this.pending?.hashes ?? 0);
  }
}
