import { readFrontSettings, type FrontSettings } from "@container-labs/cmpt756-kit";
import { envInt } from "@container-labs/service-kit";

export interface Settings extends FrontSettings {
  /** How long a login token stays valid. */
  tokenTtlSeconds: number;
}

type Env = Record<string, string | undefined>;

export function readSettings(env: Env = process.env): Settings {
  return {
    ...readFrontSettings(30000, env),
    tokenTtlSeconds: envInt("JWT_TTL_SECONDS", 3600, { min: 1, max: 30 * 24 * 3600 }, env),
  };
}
