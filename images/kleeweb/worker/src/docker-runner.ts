import Docker from "dockerode";
import type { Logger } from "@container-labs/service-kit";
import { withTimeout } from "@container-labs/kleeweb-kit";
import { BoundedOutput, RunnerError, type JobRunner, type JobSpec, type RunLimits, type RunOutcome } from "./job-runner";
import { DockerLogDemuxer } from "./docker-log-stream";
import type { DockerSettings } from "./settings";

/** How long the log stream may take to end once the container has stopped. */
const LOG_DRAIN_MS = 5000;

/**
 * Compiles the source (from $JOB_SOURCE) to bitcode and runs KLEE on it, in a
 * temp dir of the job container. klee/klee.h lives in the image's KLEE checkout.
 */
const KLEE_SCRIPT = [
  "set -e",
  'cd "$(mktemp -d)"',
  "printf '%s' \"$JOB_SOURCE\" > job.c",
  "clang -I /home/klee/klee_src/include -emit-llvm -c -g -O0 -Xclang -disable-O0-optnone job.c -o job.bc",
  "exec klee job.bc",
].join("\n");

type Ending = { kind: "exited"; statusCode: number } | { kind: "timed out" } | { kind: "aborted" };

function engineMessage(err: unknown): string {
  const { json, message } = err as { json?: { message?: string }; message?: string };
  return json?.message ?? message ?? String(err);
}

/** Runs an Engine API call, turning its failure into a RunnerError that says what we were doing. */
async function engine<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new RunnerError(`the Docker engine could not ${what}: ${engineMessage(err)}`);
  }
}

/**
 * Runs each job in a sibling container through the host's Docker engine: no
 * network, limited CPU shares, memory and processes, no capabilities, removed
 * afterwards whatever happened.
 */
export class DockerRunner implements JobRunner {
  private readonly docker: Docker;

  constructor(private readonly settings: DockerSettings, private readonly workerId: string, private readonly logger: Logger) {
    this.docker = new Docker({ socketPath: settings.socketPath });
  }

  containerSpec(job: JobSpec, limits: RunLimits): Docker.ContainerCreateOptions {
    return {
      Image: this.settings.image,
      // A backstop a little past our own timer: bounds a job container whose worker died mid-job.
      Cmd: ["timeout", "-s", "KILL", String(limits.timeoutSeconds + 30), "sh", "-c", KLEE_SCRIPT],
      Env: [`JOB_SOURCE=${job.source}`],
      Labels: { "kleeweb.job": job.id, "kleeweb.worker": this.workerId },
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: "none",
        CpuShares: this.settings.cpuShares,
        Memory: this.settings.memoryBytes,
        MemorySwap: this.settings.memoryBytes,
        PidsLimit: 256,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        AutoRemove: false,
      },
    };
  }

  async run(job: JobSpec, limits: RunLimits, signal?: AbortSignal): Promise<RunOutcome> {
    const container = await engine(`create the job container from ${this.settings.image}`, () =>
      this.docker.createContainer(this.containerSpec(job, limits)),
    );
    try {
      await engine("start the job container", () => container.start());
      const output = new BoundedOutput(limits.maxOutputBytes);
      // Not awaited before waiting: an engine may send the log stream's headers only with its first line.
      const logs = this.collectLogs(container, output);
      const ending = await this.waitForExit(container, limits.timeoutSeconds * 1000, signal);
      if (ending.kind !== "exited") {
        await container.kill().catch((err: unknown) => this.logger.warn({ job: job.id, error: engineMessage(err) }, "could not kill the job container"));
      }
      await logs.drained();
      if (ending.kind === "aborted") throw signal?.reason;
      return {
        exitCode: ending.kind === "exited" ? ending.statusCode : null,
        output: output.toString(),
        timedOut: ending.kind === "timed out",
      };
    } finally {
      await container
        .remove({ force: true })
        .catch((err: unknown) => this.logger.warn({ job: job.id, error: engineMessage(err) }, "could not remove the job container"));
    }
  }

  /** Streams the container's output into `output`; drained() waits (boundedly) for the stream's end and closes it. */
  private collectLogs(container: Docker.Container, output: BoundedOutput): { drained: () => Promise<void> } {
    const demuxer = new DockerLogDemuxer((payload) => output.append(payload));
    const stream = container.logs({ follow: true, stdout: true, stderr: true }).then((logs) => {
      logs.on("data", (chunk: Buffer) => demuxer.push(chunk));
      return logs as NodeJS.ReadableStream & { destroy(): void };
    });
    const ended = stream.then(
      (logs) => new Promise<void>((resolve) => {
        logs.once("end", resolve);
        logs.once("close", resolve);
        logs.once("error", () => resolve());
      }),
      (err: unknown) => output.append(Buffer.from(`[could not read the job's output: ${engineMessage(err)}]`)),
    );
    return {
      drained: async () => {
        await withTimeout(ended, LOG_DRAIN_MS, "the job container's log stream").catch(() => undefined);
        await stream.then((logs) => logs.destroy(), () => undefined);
      },
    };
  }

  private waitForExit(container: Docker.Container, timeoutMs: number, signal?: AbortSignal): Promise<Ending> {
    return new Promise<Ending>((resolve, reject) => {
      const timer = setTimeout(() => resolve({ kind: "timed out" }), timeoutMs);
      const onAbort = (): void => resolve({ kind: "aborted" });
      if (signal?.aborted) onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      engine("wait for the job container", () => container.wait())
        .then((body: { StatusCode: number }) => resolve({ kind: "exited", statusCode: body.StatusCode }), reject)
        .finally(() => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        });
    });
  }
}
