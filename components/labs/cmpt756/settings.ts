import type { ConfigReader } from "../../config/reader";

export interface Cmpt756Settings {
  tableSuffix: string;
  billing: "on-demand" | "provisioned";
  seed: boolean;
}

export function readCmpt756Settings(reader: ConfigReader, stack: string): Cmpt756Settings {
  const tableSuffix = reader.optionalString("cmpt756TableSuffix") ?? stack;
  reader.check(/^[A-Za-z0-9_.-]{1,200}$/.test(tableSuffix), "cmpt756TableSuffix", tableSuffix, "letters, digits, '_', '-' or '.' (DynamoDB table name rules)");
  return {
    tableSuffix,
    billing: reader.choice("cmpt756Billing", ["on-demand", "provisioned"] as const),
    seed: reader.boolean("cmpt756Seed"),
  };
}
