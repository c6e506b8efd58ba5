import { setTimeout as sleep } from "node:timers/promises";
import { Counter, Gauge, type Registry } from "prom-client";

export interface SerialDeskOptions {
  /** The lesson's pause before each piece of work (0 runs at full speed). */
  delayMs: number;
  /** The most requests in line at once, waiting or being served; one more is turned away. */
  capacity: number;
  /** Where the desk's counters go; `name` prefixes them (e.g. "rng"). */
  registry: Registry;
  name: string;
}

/** A request's place in the desk's line, from admission until it is both served and answered. */
export interface Place {
  /**
   * Runs `work` after the lesson's delay, once every earlier place has been
   * served. Rejects with AbandonedError, without the delay, if the request
   * ended (its client went away) before its turn came.
   */
  serve<T>(work: () => T | Promise<T>): Promise<T>;
  /** The request is over (answered, or its client went away); safe to call more than once. */
  leave(): void;
}

export class AbandonedError extends Error {
  /** nginx's "client closed request": nobody is left to read the answer, and the log says why. */
  readonly statusCode = 499;

  constructor() {
    super("the request ended before its turn at the desk");
  }
}

/**
 * Serves one request at a time, each after the lesson's delay, as the
 * course's single-threaded rng and hasher do: that is what makes rng the
 * bottleneck once workers are added (ten waiting requests take ten delays).
 * Node would happily overlap the sleeps, so the queue is explicit: each
 * piece of work starts only once the previous one has settled.
 *
 * The line is bounded: at most `capacity` requests hold a place, counted
 * from admission (before a body is read) until the request has been
 * answered and its turn is over, so what waiting requests hold in memory is
 * bounded too. Beyond that, `enter()` turns the request away.
 */
export class SerialDesk {
  private tail: Promise<unknown> = Promise.resolve();
  private inLine = 0;
  private readonly served: Counter;
  private readonly turnedAway: Counter;
  private readonly depth: Gauge;

  constructor(private readonly options: SerialDeskOptions) {
    this.served = new Counter({
      name: `${options.name}_served_total`,
      help: `Pieces of work ${options.name} finished, one at a time`,
      registers: [options.registry],
    });
    this.turnedAway = new Counter({
      name: `${options.name}_turned_away_total`,
      help: `Requests ${options.name} refused because its line was full`,
      registers: [options.registry],
    });
    this.depth = new Gauge({
      name: `${options.name}_queue_depth`,
      help: `Requests holding a place in ${options.name}'s line, waiting or being served`,
      registers: [options.registry],
    });
  }

  get capacity(): number {
    return this.options.capacity;
  }

  get full(): boolean {
    return this.inLine >= this.options.capacity;
  }

  /** About how long `places` places take to serve, in whole seconds, at least 1: what a turned-away client is told to wait. */
  secondsToServe(places: number): number {
    return Math.max(1, Math.ceil((places * this.options.delayMs) / 1000));
  }

  /** Counts a request turned away before it asked for a place (e.g. its client holds its share already). */
  turnAway(): void {
    this.turnedAway.inc();
  }

  /** A place in line, or undefined when the line is full. */
  enter(): Place | undefined {
    if (this.full) {
      this.turnAway();
      return undefined;
    }
    this.inLine += 1;
    this.depth.inc();
    // The place is released when both holds are dropped: the request's (it ended) and its turn's (if it took one).
    let holds = 1;
    let ended = false;
    const drop = (): void => {
      holds -= 1;
      if (holds > 0) return;
      this.inLine -= 1;
      this.depth.dec();
    };
    return {
      serve: <T>(work: () => T | Promise<T>): Promise<T> => {
        if (ended) return Promise.reject(new AbandonedError());
        holds += 1;
        return this.takeTurn(() => ended, work).finally(drop);
      },
      leave: (): void => {
        if (ended) return;
        ended = true;
        drop();
      },
    };
  }

  private takeTurn<T>(abandoned: () => boolean, work: () => T | Promise<T>): Promise<T> {
    const turn = this.tail.then(async () => {
      if (abandoned()) throw new AbandonedError();
      if (this.options.delayMs > 0) await sleep(this.options.delayMs);
      const result = await work();
      this.served.inc();
      return result;
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
