import { setTimeout as sleep } from "node:timers/promises";
import { Counter, Gauge, type Registry } from "prom-client";

export interface SerialDeskOptions {
  /** The lesson's pause before each piece of work (0 runs at full speed). */
  delayMs: number;
  /** Where the desk's counters go; `name` prefixes them (e.g. "rng"). */
  registry: Registry;
  name: string;
}

/**
 * Serves one request at a time, each after the lesson's delay, as the
 * course's single-threaded rng and hasher do: that is what makes rng the
 * bottleneck once workers are added (ten waiting requests take ten delays).
 * Node would happily overlap the sleeps, so the queue is explicit: each
 * piece of work starts only once the previous one has settled.
 */
export class SerialDesk {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly served: Counter;
  private readonly waiting: Gauge;

  constructor(private readonly options: SerialDeskOptions) {
    this.served = new Counter({
      name: `${options.name}_served_total`,
      help: `Pieces of work ${options.name} finished, one at a time`,
      registers: [options.registry],
    });
    this.waiting = new Gauge({
      name: `${options.name}_queue_depth`,
      help: `Requests waiting for, or holding, ${options.name}'s single desk`,
      registers: [options.registry],
    });
  }

  /** Runs `work` after the delay once every earlier piece has settled; a failure does not block the queue. */
  serve<T>(work: () => T | Promise<T>): Promise<T> {
    this.waiting.inc();
    const turn = this.tail.then(async () => {
      try {
        if (this.options.delayMs > 0) await sleep(this.options.delayMs);
        const result = await work();
        this.served.inc();
        return result;
      } finally {
        this.waiting.dec();
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
