/**
 * A stack's configuration as the Pulumi CLI hands it to the program: the
 * defaults declared in Pulumi.yaml, overlaid by Pulumi.<stack>.yaml, overlaid
 * by what a test sets (as a user would with `pulumi config set`).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { stackProblems } from "./pulumiRules";

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

/** The config of a committed stack file, Pulumi.<stack>.yaml (or another file in that format). */
export function stackFile(stack: string, file = `Pulumi.${stack}.yaml`): Record<string, unknown> {
  const parsed = parse(readFileSync(path.join(ROOT, file), "utf8")) as { config?: Record<string, unknown> };
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

/**
 * Fails as `pulumi preview` would when the stack's values (the committed file
 * plus what a test sets) break the CLI's config rules, so no test ever runs
 * the program on a stack the CLI would refuse.
 */
export function stackConfig(stack: string, set: Record<string, unknown> = {}, secrets: Record<string, string> = {}): StackConfig {
  const project = projectFile();
  // A stack without its own file (`npm run up -- --stack try`) has the project's defaults alone, as the CLI gives them.
  const file = existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)) ? stackFile(stack) : {};
  const onStack: Record<string, unknown> = { ...file };
  for (const [key, value] of Object.entries(set)) onStack[`${project.name}:${key}`] = value;
  for (const key of Object.keys(secrets)) onStack[`${project.name}:${key}`] = { secure: "(set by the test)" };
  const refused = stackProblems(project, stack, onStack);
  if (refused.length > 0) throw new Error(`the Pulumi CLI would refuse this stack:\n  ${refused.join("\n  ")}`);
  const values: Record<string, string> = {};
  for (const [key, declaration] of Object.entries(project.config)) {
    if (declaration.default !== undefined) values[`${project.name}:${key}`] = asConfigString(declaration.default);
  }
  for (const [key, value] of Object.entries(file)) {
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
