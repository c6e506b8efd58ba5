import type { Logger } from "@container-labs/service-kit";
import { WORKERS_KEY, heartbeatKey, processingKey, type RedisClient } from "@container-labs/kleeweb-kit";
import { recoverJobs, type RecoveryDeps } from "./recovery";

/**
 * This worker's heartbeat, and the reaper every worker runs: a registered
 * worker whose heartbeat key has expired is dead, so its jobs are taken back.
 */
export class Liveness {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly redis: RedisClient,
    private readonly workerId: string,
    private readonly ttlSeconds: number,
    private readonly recovery: RecoveryDeps,
  ) {}

  private get logger(): Logger {
    return this.recovery.logger;
  }

  async start(): Promise<void> {
    await this.beat();
    const ttlMs = this.ttlSeconds * 1000;
    this.every(ttlMs / 3, () => this.beat(), "heartbeat failed");
    this.every(ttlMs / 2, () => this.reap(), "reaping dead workers failed");
  }

  /** Stops beating and leaves the registry; call once this worker holds no job. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.redis.del(heartbeatKey(this.workerId));
    if ((await this.redis.lLen(processingKey(this.workerId))) === 0) await this.redis.sRem(WORKERS_KEY, this.workerId);
  }

  private every(ms: number, task: () => Promise<void>, failure: string): void {
    let running = false;
    this.timers.push(
      setInterval(() => {
        if (running) return;
        running = true;
        task()
          .catch((err: Error) => this.logger.warn({ error: err.message }, failure))
          .finally(() => (running = false));
      }, ms),
    );
  }

  /** Registered again on every beat, in case a reaper dropped us while we looked dead. */
  private async beat(): Promise<void> {
    await this.redis.set(heartbeatKey(this.workerId), String(Date.now()), { PX: this.ttlSeconds * 1000 });
    await this.redis.sAdd(WORKERS_KEY, this.workerId);
  }

  private async reap(): Promise<void> {
    for (const other of await this.redis.sMembers(WORKERS_KEY)) {
      if (other === this.workerId || (await this.redis.exists(heartbeatKey(other)))) continue;
      this.logger.warn({ worker: other }, "worker's heartbeat expired, taking back its jobs");
      await recoverJobs(other, this.recovery);
      if ((await this.redis.lLen(processingKey(other))) === 0) await this.redis.sRem(WORKERS_KEY, other);
    }
  }
}
