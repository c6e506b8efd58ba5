import { envUrl } from "@container-labs/service-kit";
import { readServiceSettings, type ServiceSettings } from "@container-labs/dockercoins-kit";

type Env = Record<string, string | undefined>;

export interface WebuiSettings extends ServiceSettings {
  redisUrl: string;
}

export function readWebuiSettings(env: Env = process.env): WebuiSettings {
  return { ...readServiceSettings(80, env), redisUrl: envUrl("REDIS_URL", "redis://redis:6379", env) };
}
