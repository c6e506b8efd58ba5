export { type Job, type JobResult, type JobStatus, type JobSummary } from "./jobs";
export { JobStore, type ClaimedJob, type JobBounds } from "./job-store";
export { QUEUE_KEY, WORKERS_KEY, processingKey, heartbeatKey } from "./queue";
export { closeRedis, connectRedis, createPool, probe, redactUrl, retryUntil, withTimeout, type RedisClient } from "./connections";
