#!/usr/bin/env node
/** latency-probe: one notification, one printed answer, one appended line, then exit (0 only if the line was written). */
import { LOG_LEVELS, createLogger, envChoice } from "@container-labs/service-kit";
import { readConfig } from "./config";
import { runProbe } from "./probe";

async function main(): Promise<number> {
  const logger = createLogger("latency-probe", "info");
  try {
    logger.level = envChoice("LOG_LEVEL", LOG_LEVELS, "info");
    await runProbe(readConfig(), logger);
    return 0;
  } catch (err) {
    logger.error((err as Error).message);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
