export { ConfigError, envString, envOptional, envInt, envPort, envUrl, envChoice, envHost } from "./env";
export { DEFAULT_SERVER_LIMITS, SERVER_LIMIT_VARIABLES, readServerLimits, type ServerLimits } from "./limits";
export { createLogger, LOG_LEVELS, type LogLevel, type Logger } from "./logger";
export { onShutdown, type ShutdownOptions } from "./shutdown";
export { createHttpService, listen, type HttpService, type HttpServiceOptions, type ListenOptions } from "./http";
