export { SerialDesk, type SerialDeskOptions } from "./serial-desk";
export { readServiceSettings, readLessonDelayMs, type ServiceSettings } from "./settings";
export { connectRedis, closeRedis, type Redis } from "./redis";
export { runMain } from "./run-main";
export { runLessonService, type LessonServiceOptions } from "./lesson-service";
