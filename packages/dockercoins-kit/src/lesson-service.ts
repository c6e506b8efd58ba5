import { createLogger, listen, type HttpService, type Logger } from "@container-labs/service-kit";
import { runMain } from "./run-main";
import { readLessonDelayMs, readQueueLimit, readQueueLimitPerClient, readServiceSettings } from "./settings";

export interface LessonServiceOptions {
  logger: Logger;
  lessonDelayMs: number;
  queueLimit: number;
  queueLimitPerClient: number;
}

/**
 * Entry point of rng and hasher, the course's slow single-threaded web
 * services: PORT (80), LOG_LEVEL, LESSON_DELAY_MS, QUEUE_LIMIT and QUEUE_LIMIT_PER_CLIENT from the environment, then listen.
 */
export function runLessonService(service: string, buildApp: (options: LessonServiceOptions) => HttpService["app"]): void {
  runMain(service, async () => {
    const settings = readServiceSettings(80);
    const lessonDelayMs = readLessonDelayMs();
    const queueLimit = readQueueLimit();
    const queueLimitPerClient = readQueueLimitPerClient(queueLimit);
    const logger = createLogger(service, settings.logLevel);
    await listen(buildApp({ logger, lessonDelayMs, queueLimit, queueLimitPerClient }), { port: settings.port });
    logger.info({ lessonDelayMs, queueLimit, queueLimitPerClient }, `${service} serving one request at a time`);
  });
}
