import type { Logger } from "@container-labs/service-kit";
import type { JobStore } from "@container-labs/kleeweb-kit";
import type { JobQueue } from "./job-queue";

export interface RecoveryDeps {
  store: JobStore;
  queue: JobQueue;
  maxAttempts: number;
  logger: Logger;
}

/**
 * Takes back every job `ownerId` holds (a dead worker, or this one stopping or
 * restarting under the same id): each goes back to the queue, or fails once
 * it has used up its attempts; finished ones just leave the list.
 */
export async function recoverJobs(ownerId: string, { store, queue, maxAttempts, logger }: RecoveryDeps): Promise<void> {
  for (const id of await queue.held(ownerId)) {
    const status = await store.release(id, ownerId, maxAttempts);
    if (status === "queued") {
      if (await queue.putBack(ownerId, id)) logger.warn({ job: id, from: ownerId }, "job requeued");
    } else {
      await queue.forget(ownerId, id);
      if (status === "failed") logger.warn({ job: id, from: ownerId }, "job failed: no attempts left");
    }
  }
}
