import { createLogger, listen, type HttpService, type Logger } from "@container-labs/service-kit";
import { runMain } from "./run-main";
import { readLessonDelayMs, readServiceSettings } from "./settings";

export interface LessonServiceOptions {
  logger: Logger;
  lessonDelayMs: number;
}

/**
 * Entry point of rng and hasher, the course's slow single-threaded web
 * services: PORT (80), LOG_LEVEL and LESSON_DELAY_MS from the environment, then listen.
 */
export function runLessonService(service: string, buildApp: (options: LessonServiceOptions) => HttpService["app"]): void {
  runMain(service, async () => {
    const settings = readServiceSettings(80);
    const lessonDelayMs = readLessonDelayMs();
    const logger = createLogger(service, settings.logLevel);
    await listen(buildApp({ logger, lessonDelayMs }), { port: settings.port });
    logger.info({ lessonDelayMs }, `${service} serving one request at a time`);
  });
}
