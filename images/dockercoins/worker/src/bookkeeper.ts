import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@container-labs/service-kit";
import type { Redis } from "@container-labs/dockercoins-kit";
import { writeBatch } from "./ledger";
import { pause } from "./pause";
import type { Tally } from "./tally";

const FINAL_ATTEMPTS = 3;
const FINAL_RETRY_MS = 500;

export interface BookkeeperOptions {
  redis: Redis;
  workerId: string;
  tally: Tally;
  intervalMs: number;
  logger: Logger;
}

/**
 * Moves the tally into redis about once per interval, as the course's worker
 * does with `INCRBY hashes`; on shutdown it writes what is left.
 */
export class Bookkeeper {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly options: BookkeeperOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the periodic writes, then writes the rest (retrying briefly if redis is away). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    for (let attempt = 1; attempt <= FINAL_ATTEMPTS; attempt++) {
      if (await this.flush()) {
        this.options.logger.info({ recorded: this.options.tally.recorded }, "final count written to redis");
        return;
      }
      if (attempt < FINAL_ATTEMPTS) await sleep(FINAL_RETRY_MS);
    }
    this.options.logger.error({ lost: this.options.tally.unrecorded }, "could not write the final count to redis");
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      await pause(this.options.intervalMs, signal);
      if (!signal.aborted) await this.flush();
    }
  }

  /** Writes every owed batch; false (and the batch kept for a retry) if redis failed. */
  private async flush(): Promise<boolean> {
    const { tally, redis, workerId, logger } = this.options;
    try {
      for (let batch = tally.nextBatch(); batch; batch = tally.nextBatch()) {
        await writeBatch(redis, workerId, batch);
        tally.confirm(batch);
        logger.debug({ hashes: batch.hashes, coins: batch.coins.size }, "hash counter updated");
      }
      if (this.failing) logger.info({ owed: tally.unrecorded }, "writing counts to redis again");
      this.failing = false;
      return true;
    } catch (err) {
      if (!this.failing) logger.warn({ err: (err as Error).message, owed: tally.unrecorded }, "could not write counts to redis; will retry");
      this.failing = true;
      return false;
    }
  }
}
