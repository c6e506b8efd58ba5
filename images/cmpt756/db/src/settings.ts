import { LOG_LEVELS, envChoice, envOptional, envPort, envString, envUrl, type LogLevel } from "@container-labs/service-kit";

export interface Settings {
  port: number;
  logLevel: LogLevel;
  region: string;
  /** Tables are `User-<suffix>` and `Music-<suffix>`; the course used the student's registry id. */
  tableSuffix: string;
  /** DynamoDB Local or dynalite; unset means the region's real DynamoDB. */
  endpoint?: string;
  /** Password of the `svc-loader` user of POST /load; unset turns /load off. */
  loaderToken?: string;
}

type Env = Record<string, string | undefined>;

export function readSettings(env: Env = process.env): Settings {
  const endpoint = envOptional("DYNAMODB_ENDPOINT", env);
  return {
    port: envPort(30002, "PORT", env),
    logLevel: envChoice("LOG_LEVEL", LOG_LEVELS, "info", env),
    region: envString("AWS_REGION", "us-east-1", env),
    tableSuffix: envString("TABLE_SUFFIX", undefined, env),
    endpoint: endpoint === undefined ? undefined : envUrl("DYNAMODB_ENDPOINT", undefined, env),
    loaderToken: envOptional("SVC_LOADER_TOKEN", env),
  };
}
