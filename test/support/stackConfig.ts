/**
 * A stack's configuration as the Pulumi CLI hands it to the program: the
 * defaults declared in Pulumi.yaml, overlaid by Pulumi.<stack>.yaml, overlaid
 * by what a test sets (as a user would with `pulumi config set`).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const ROOT = path.resolve(__dirname, "..", "..");

interface Declaration {
  type?: string;
  default?: unknown;
  secret?: boolean;
  description?: string;
}

export interface ProjectFile {
  name: string;
  config: Record<string, Declaration>;
}

export function projectFile(): ProjectFile {
  return parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

export function stackFile(stack: string): Record<string, unknown> {
  const parsed = parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  return parsed.config ?? {};
}

/** Config values are strings to the program; lists and objects arrive as JSON. */
function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export interface StackConfig {
  values: Record<string, string>;
  secretKeys: string[];
}

export function stackConfig(stack: string, set: Record<string, unknown> = {}, secrets: Record<string, string> = {}): StackConfig {
  const project = projectFile();
  const values: Record<string, string> = {};
  for (const [key, declaration] of Object.entries(project.config)) {
    if (declaration.default !== undefined) values[`${project.name}:${key}`] = asConfigString(declaration.default);
  }
  for (const [key, value] of Object.entries(stackFile(stack))) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      throw new Error(`Pulumi.${stack}.yaml holds an encrypted value for ${key}; tests set secrets explicitly`);
    }
    values[key] = asConfigString(value);
  }
  for (const [key, value] of Object.entries(set)) values[`${project.name}:${key}`] = asConfigString(value);
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(secrets)) {
    values[`${project.name}:${key}`] = value;
    secretKeys.push(`${project.name}:${key}`);
  }
  return { values, secretKeys };
}
