import type { Logger } from "@container-labs/service-kit";
import type { JobResult } from "@container-labs/kleeweb-kit";
import { RunnerError, type JobRunner, type RunLimits, type RunOutcome } from "./job-runner";
import { recoverJobs, type RecoveryDeps } from "./recovery";

/** Pause after a redis or database error before taking again, so an outage does not spin. */
const ERROR_BACKOFF_MS = 1000;

export interface WorkerDeps extends RecoveryDeps {
  workerId: string;
  runner: JobRunner;
  limits: RunLimits;
}

function resultOf(outcome: RunOutcome): JobResult {
  const status = outcome.timedOut ? "timed_out" : outcome.exitCode === 0 ? "succeeded" : "failed";
  return { status, exitCode: outcome.exitCode, output: outcome.output };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes jobs one at a time, runs them, records the results. */
export class Worker {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private current: AbortController | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  private get logger(): Logger {
    return this.deps.logger;
  }

  start(): void {
    this.loop = this.takeJobs();
  }

  /**
   * Stops taking jobs; the current one gets `graceMs` to finish, then it is
   * interrupted and goes back to the queue for another worker.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (!this.loop) return;
    const finished = await Promise.race([this.loop.then(() => true), sleep(graceMs).then(() => false)]);
    if (!finished) {
      this.logger.warn({ graceMs }, "the current job did not finish in the grace period, interrupting it");
      this.current?.abort(new Error("the worker is stopping"));
      await this.loop;
    }
  }

  private async takeJobs(): Promise<void> {
    while (!this.stopping) {
      try {
        const id = await this.deps.queue.take();
        if (id) await this.process(id);
      } catch (err) {
        this.logger.error({ error: (err as Error).message }, "taking or recording a job failed");
        await sleep(ERROR_BACKOFF_MS);
      }
    }
  }

  private async process(id: string): Promise<void> {
    const { store, queue, workerId, runner, limits } = this.deps;
    const job = await store.claim(id, workerId);
    if (!job) {
      // Finished or taken already (e.g. requeued by a reaper that thought us dead): nothing to run.
      this.logger.warn({ job: id }, "job is not queued any more, skipping it");
      await queue.done(id);
      return;
    }
    this.logger.info({ job: id, attempt: job.attempts }, "job started");
    const started = Date.now();
    this.current = new AbortController();
    let result: JobResult;
    try {
      result = resultOf(await runner.run(job, limits, this.current.signal));
    } catch (err) {
      if (this.current.signal.aborted) {
        await recoverJobs(workerId, this.deps);
        return;
      }
      const reason = err instanceof RunnerError ? err.message : `the worker could not run the job: ${(err as Error).message}`;
      this.logger.error({ job: id, error: reason }, "job could not be run");
      result = { status: "failed", exitCode: null, output: reason };
    } finally {
      this.current = undefined;
    }
    await this.record(id, result, Date.now() - started);
  }

  private async record(id: string, result: JobResult, durationMs: number): Promise<void> {
    const { store, queue, workerId } = this.deps;
    if (await store.finish(id, workerId, result)) {
      this.logger.info({ job: id, status: result.status, exitCode: result.exitCode, durationMs }, "job finished");
    } else {
      this.logger.warn({ job: id }, "job was taken back while it ran (heartbeat lost?); its result is discarded");
    }
    await queue.done(id);
  }
}
