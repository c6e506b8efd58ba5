/** A KLEE job's life: queued by web, running on one worker, then one of the final states. */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "timed_out";

/** What the job list shows: everything but the (large) source and output. */
export interface JobSummary {
  id: string;
  status: JobStatus;
  exit_code: number | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface Job extends JobSummary {
  output: string | null;
}

/** How a run ended, as the worker records it. */
export interface JobResult {
  status: Extract<JobStatus, "succeeded" | "failed" | "timed_out">;
  exitCode: number | null;
  output: string;
}
