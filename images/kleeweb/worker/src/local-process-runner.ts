import { spawn } from "node:child_process";
import { constants } from "node:os";
import { BoundedOutput, RunnerError, type JobRunner, type JobSpec, type RunLimits, type RunOutcome } from "./job-runner";

/** A shell's convention for "killed by signal N". */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code;
  return signal ? 128 + constants.signals[signal] : null;
}

/**
 * Runs `command` with `sh -c` on this machine, the job's source on its stdin
 * and JOB_ID in its environment. The job gets PATH and HOME only: never the
 * worker's own environment, which holds the database password.
 */
export class LocalProcessRunner implements JobRunner {
  constructor(private readonly command: string) {}

  run(job: JobSpec, limits: RunLimits, signal?: AbortSignal): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      // Its own process group, so a timeout kills whatever the command started too.
      const child = spawn("sh", ["-c", this.command], {
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", JOB_ID: job.id },
      });
      const output = new BoundedOutput(limits.maxOutputBytes);
      let timedOut = false;
      const killGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, limits.timeoutSeconds * 1000);
      signal?.addEventListener("abort", killGroup, { once: true });
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", killGroup);
      };

      child.stdout.on("data", (chunk: Buffer) => output.append(chunk));
      child.stderr.on("data", (chunk: Buffer) => output.append(chunk));
      // A command that exits without reading its input closes the pipe under us: not an error of the job.
      child.stdin.on("error", () => undefined);
      child.stdin.end(job.source);

      child.once("error", (err) => {
        settle();
        reject(new RunnerError(`could not start the job command: ${err.message}`));
      });
      child.once("close", (code, exitSignal) => {
        settle();
        if (signal?.aborted) return reject(signal.reason);
        resolve({ exitCode: timedOut ? null : exitCodeOf(code, exitSignal), output: output.toString(), timedOut });
      });
    });
  }
}
