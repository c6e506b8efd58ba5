import type { ConfigReader } from "../../config/reader";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The key that protects the database's volume from destroy (on by default, in Pulumi.yaml). */
export const PROTECT_DATABASE_KEY = "kleewebProtectDatabase";

export interface KleewebSettings {
  subnet: string;
  gateway: string;
  workers: number;
  logLevel: LogLevel;
  protectDatabase: boolean;
}

export function readKleewebSettings(reader: ConfigReader): KleewebSettings {
  const subnet = reader.cidr("kleewebSubnet", reader.string("kleewebSubnet"));
  return {
    subnet,
    gateway: reader.ipInSubnet("kleewebGateway", reader.string("kleewebGateway"), subnet),
    workers: reader.integer("kleewebWorkers", 1, 20),
    logLevel: reader.choice("kleewebLogLevel", LOG_LEVELS),
    protectDatabase: reader.boolean(PROTECT_DATABASE_KEY),
  };
}
