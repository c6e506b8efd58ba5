import cluster, { type Worker } from "node:cluster";
import { onShutdown, type Logger } from "@container-labs/service-kit";

export interface SupervisorOptions {
  workers: number;
  logger: Logger;
  /** More restarts than this within `restartWindowMs` means workers cannot start: give up. */
  maxRestarts?: number;
  restartWindowMs?: number;
}

/** SIGTERM to every live worker; resolves once all have exited. */
function stopWorkers(): Promise<number> {
  const running = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker && !worker.isDead());
  return Promise.all(
    running.map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.once("exit", () => resolve());
          worker.process.kill("SIGTERM");
        }),
    ),
  ).then(() => running.length);
}

/**
 * The primary process, as gunicorn's arbiter: forks `workers` processes that
 * share the listening port, forks a replacement when one dies, and on
 * SIGTERM/SIGINT passes SIGTERM on and exits once every worker has closed.
 */
export function superviseWorkers(options: SupervisorOptions): void {
  const { logger } = options;
  const maxRestarts = options.maxRestarts ?? options.workers * 5;
  const restartWindowMs = options.restartWindowMs ?? 60000;
  const restarts: number[] = [];
  let stopping = false;

  cluster.on("listening", (worker, address) => {
    logger.info({ workerPid: worker.process.pid, port: address.port }, "worker listening");
  });

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts[0] < now - restartWindowMs) restarts.shift();
    if (restarts.length > maxRestarts) {
      // A worker that dies at start (port taken, bad volume) would otherwise be forked forever.
      stopping = true;
      logger.fatal({ restarts: restarts.length, restartWindowMs }, "workers keep dying; giving up");
      void stopWorkers().finally(() => process.exit(1));
      return;
    }
    logger.warn({ workerPid: worker.process.pid, code, signal }, "worker died; starting a replacement");
    cluster.fork();
  });

  // Workers get 8 s to drain (service-kit's default); this waits a little longer, within Docker's 10 s.
  onShutdown(
    logger,
    async () => {
      stopping = true;
      const closed = await stopWorkers();
      logger.info({ workers: closed }, "all workers closed");
    },
    { timeoutMs: 9000 },
  );

  for (let i = 0; i < options.workers; i++) cluster.fork();
}
