import type { Logger } from "@container-labs/service-kit";
import { Backoff, pause } from "./pause";
import type { Tally } from "./tally";
import type { Upstream } from "./upstream";

/** The course's workers ask rng for 32 bytes at a time. */
const BYTES_PER_HASH = 32;
const FIRST_RETRY_MS = 200;

export interface MinerOptions {
  upstream: Upstream;
  tally: Tally;
  /** Hashing while redis is away would pile up counts nobody sees; the miner waits instead. */
  redisReady: () => boolean;
  lessonDelayMs: number;
  backoffMaxMs: number;
  logger: Logger;
}

/**
 * The course's work loop: pause, random bytes from rng, their hash from
 * hasher, count it. A failing rng, hasher or redis is logged and retried
 * with a growing, capped back-off; the loop resumes when it is back.
 */
export class Miner {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;

  constructor(private readonly options: MinerOptions) {
    this.backoff = new Backoff(FIRST_RETRY_MS, options.backoffMaxMs);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the unit of work under way (so a hash hasher made is counted), then stops. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    let failing = false;
    while (!signal.aborted) {
      await pause(this.options.lessonDelayMs, signal);
      if (signal.aborted) return;
      try {
        await this.workOnce();
        if (failing) this.options.logger.info("work resumed");
        failing = false;
        this.backoff.reset();
      } catch (err) {
        failing = true;
        const retryInMs = this.backoff.next();
        this.options.logger.warn({ err: (err as Error).message, retryInMs }, "unit of work failed");
        await pause(retryInMs, signal);
      }
    }
  }

  private async workOnce(): Promise<void> {
    if (!this.options.redisReady()) throw new Error("redis is unreachable: not hashing what could not be recorded");
    const bytes = await this.options.upstream.randomBytes(BYTES_PER_HASH);
    const hash = await this.options.upstream.hash(bytes);
    // Counted only now that the hash exists; never before, never twice.
    this.options.tally.record(hash, bytes);
  }
}
