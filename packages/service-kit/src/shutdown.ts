import type { Logger } from "pino";

export interface ShutdownOptions {
  /** How long cleanup may take before the process gives up and exits 1. Docker's grace period is 10 s. */
  timeoutMs?: number;
  /** Exit once cleanup is done (the default); tests of in-process servers turn it off. */
  exit?: boolean;
}

/**
 * Runs `cleanup` once on SIGTERM or SIGINT, then exits 0. This is why our
 * images use exec-form ENTRYPOINTs: the signal reaches node as PID 1 instead
 * of a shell that would swallow it and make `docker stop` wait out its grace period.
 */
export function onShutdown(logger: Logger, cleanup: () => Promise<void>, options: ShutdownOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 8000;
  const exit = options.exit ?? true;
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown took too long, exiting anyway");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    cleanup().then(
      () => {
        logger.info("stopped cleanly");
        if (exit) process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "cleanup failed");
        if (exit) process.exit(1);
      },
    );
  };
  process.once("SIGTERM", handle);
  process.once("SIGINT", handle);
}
