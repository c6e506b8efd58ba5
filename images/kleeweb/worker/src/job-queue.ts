import { QUEUE_KEY, processingKey, type RedisClient } from "@container-labs/kleeweb-kit";

/**
 * Moves one id from a processing list back to the front of the queue, only if
 * it is still there: two workers reaping the same list cannot queue it twice.
 */
const PUT_BACK = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0`;

/** How long one blocking take waits, so a stopping worker notices within a second. */
const TAKE_TIMEOUT_SECONDS = 1;

/** The worker's side of the reliable queue (see kleeweb-kit's queue.ts). */
export class JobQueue {
  /** `blocking` is a connection of its own: BLMOVE holds it for up to a second. */
  constructor(private readonly redis: RedisClient, private readonly blocking: RedisClient, private readonly workerId: string) {}

  /** The oldest queued id, moved into this worker's processing list in the same step; null if none came. */
  take(): Promise<string | null> {
    return this.blocking.blMove(QUEUE_KEY, processingKey(this.workerId), "RIGHT", "LEFT", TAKE_TIMEOUT_SECONDS) as Promise<string | null>;
  }

  /** The job is recorded as finished: it leaves this worker's processing list. */
  async done(id: string): Promise<void> {
    await this.redis.lRem(processingKey(this.workerId), 1, id);
  }

  /** Ids in `ownerId`'s processing list, oldest last. */
  held(ownerId: string): Promise<string[]> {
    return this.redis.lRange(processingKey(ownerId), 0, -1);
  }

  /** Back to the queue, to be taken next; false if another reaper already did it. */
  async putBack(ownerId: string, id: string): Promise<boolean> {
    const moved = await this.redis.eval(PUT_BACK, { keys: [processingKey(ownerId), QUEUE_KEY], arguments: [id] });
    return moved === 1;
  }

  async forget(ownerId: string, id: string): Promise<void> {
    await this.redis.lRem(processingKey(ownerId), 1, id);
  }
}
