export { ConfigError, envString, envOptional, envInt, envPort, envUrl, envChoice } from "./env";
export { createLogger, LOG_LEVELS, type LogLevel, type Logger } from "./logger";
export { onShutdown, type ShutdownOptions } from "./shutdown";
export { createHttpService, listen, type HttpService, type HttpServiceOptions, type ListenOptions } from "./http";
