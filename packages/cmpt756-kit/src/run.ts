import { createLogger } from "@container-labs/service-kit";

/**
 * Runs a service's start-up. A bad setting (a ConfigError naming the
 * variable) or a port already taken ends the process with exit code 1 and
 * one JSON log line saying why, instead of an unhandled rejection's stack.
 */
export function runService(service: string, start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    createLogger(service, "fatal").fatal(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
