/** What a runner needs of a job. */
export interface JobSpec {
  id: string;
  source: string;
}

export interface RunLimits {
  /** Wall-clock time before the job is killed and marked timed_out. */
  timeoutSeconds: number;
  /** Output kept beyond this is dropped and a note says how much. */
  maxOutputBytes: number;
}

export interface RunOutcome {
  /** null when the job was killed (timeout) before it exited on its own. */
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

/**
 * Runs one job to completion. Rejects with a RunnerError when the job could
 * not be run at all, and with `signal.reason` once `signal` aborts it.
 */
export interface JobRunner {
  run(job: JobSpec, limits: RunLimits, signal?: AbortSignal): Promise<RunOutcome>;
}

/** The job could not be run (engine refused, command missing): the message is shown to the user as the job's output. */
export class RunnerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunnerError";
  }
}

/** Keeps the first `limit` bytes of a job's output and counts the rest. */
export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  append(chunk: Buffer): void {
    const room = Math.max(0, this.limit - this.kept);
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += chunk.length - Math.min(room, chunk.length);
  }

  toString(): string {
    const text = Buffer.concat(this.chunks).toString("utf8");
    return this.dropped > 0 ? `${text}\n[output truncated: ${this.dropped} more bytes dropped]` : text;
  }
}
