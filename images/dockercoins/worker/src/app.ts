import { createHttpService, type Logger, type HttpService } from "@container-labs/service-kit";
import { Counter, Gauge } from "prom-client";
import type { Tally } from "./tally";

/**
 * The worker serves no clients; this small app exists for the image's
 * HEALTHCHECK (/health) and for its counts (/metrics).
 */
export function buildWorkerApp(logger: Logger, tally: Tally): HttpService["app"] {
  const { app, registry } = createHttpService({ logger });
  const fromTally = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  fromTally("worker_hashes_obtained_total", "Hashes hasher returned to this worker", () => tally.obtained);
  fromTally("worker_coins_found_total", "Hashes starting with 0 this worker found", () => tally.coinsFound);
  fromTally("worker_hashes_recorded_total", "Hashes this worker added to redis's counter", () => tally.recorded);
  new Gauge({
    name: "worker_hashes_unrecorded",
    help: "Hashes counted but not yet confirmed in redis",
    registers: [registry],
    collect() {
      this.set(tally.unrecorded);
    },
  });
  return app;
}
