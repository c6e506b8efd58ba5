/**
 * The redis keys of the reliable queue. web pushes job ids on the left of
 * QUEUE_KEY; a worker atomically moves the oldest (right) one into its own
 * processing list, so a job is never only in a worker's memory: if the worker
 * dies, its processing list still names the job and a live worker requeues it.
 */
export const QUEUE_KEY = "kleeweb:jobs:queued";

/** Every worker that ever took a job and may still have a processing list. */
export const WORKERS_KEY = "kleeweb:workers";

export function processingKey(workerId: string): string {
  return `kleeweb:jobs:processing:${workerId}`;
}

/** Present (with a TTL) while the worker is alive; its expiry is what lets others reap its jobs. */
export function heartbeatKey(workerId: string): string {
  return `kleeweb:workers:${workerId}:heartbeat`;
}
