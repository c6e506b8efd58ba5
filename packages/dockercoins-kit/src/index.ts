export { SerialDesk, AbandonedError, type SerialDeskOptions, type Place } from "./serial-desk";
export { deskRoute, type DeskRoute, type DeskRouteOptions } from "./desk-route";
export { readServiceSettings, readLessonDelayMs, readQueueLimit, readQueueLimitPerClient, type ServiceSettings } from "./settings";
export { connectRedis, closeRedis, type Redis } from "./redis";
export { runMain } from "./run-main";
export { runLessonService, type LessonServiceOptions } from "./lesson-service";
