import { createLogger } from "@container-labs/service-kit";

/**
 * Runs a service's start-up; a bad setting or a failed start ends the
 * process with status 1 and one JSON log line saying why.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    createLogger(service).fatal({ err: err instanceof Error ? err.message : String(err) }, "could not start");
    process.exit(1);
  });
}
