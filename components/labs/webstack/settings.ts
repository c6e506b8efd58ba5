import type { ConfigReader } from "../../config/reader";

export interface WebstackSettings {
  profile: "dev" | "prod";
  appWorkers: number;
  maxUploadBytes: number;
  retainDatabase: boolean;
}

export function readWebstackSettings(reader: ConfigReader): WebstackSettings {
  return {
    profile: reader.choice("webstackProfile", ["dev", "prod"] as const),
    appWorkers: reader.integer("webstackAppWorkers", 1, 32),
    maxUploadBytes: reader.integer("webstackMaxUploadBytes", 1024, 1024 * 1024 * 1024),
    retainDatabase: reader.boolean("webstackRetainDatabase"),
  };
}
