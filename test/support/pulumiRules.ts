/**
 * The Pulumi CLI's own rules for a project's declared config and a stack's
 * values, as `pulumi preview` applies them before the program runs
 * (pulumi/pulumi: `Project.Validate` in sdk/go/common/workspace/project.go,
 * `mergeConfig` and `validateStackConfigValue` in pkg/workspace/config.go),
 * and the project file's JSON schema as the CLI ships it. A stack file that
 * breaks one of these stops `pulumi preview` with no program output at all.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { ROOT, type ProjectFile } from "./stackConfig";

interface Declaration {
  type?: string;
  items?: { type: string };
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

/** Whether a value fits a declared type the way the CLI checks it (ValidateConfigValue). */
function fitsType(type: string, items: Declaration["items"], value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "array":
      return Array.isArray(value) && items !== undefined && value.every((item) => fitsType(items.type, undefined, item));
    default:
      return false;
  }
}

/** What the CLI refuses in Pulumi.yaml itself. */
export function projectProblems(project: ProjectFile): string[] {
  const problems: string[] = [];
  for (const [key, declaration] of Object.entries(project.config as Record<string, Declaration>)) {
    if (declaration.type === "array" && !declaration.items) problems.push(`${key}: an array must declare its items`);
    if (declaration.type && declaration.default !== undefined && !fitsType(declaration.type, declaration.items, declaration.default)) {
      problems.push(`${key}: the default is not of type ${declaration.type}`);
    }
  }
  return problems;
}

/** A value of a stack file: plain, or `{ secure: <ciphertext> }` for a secret. */
function isEncrypted(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** What the CLI refuses in a stack's config, given the project's declarations. */
export function stackProblems(project: ProjectFile, stack: string, values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, declaration] of Object.entries(project.config as Record<string, Declaration>)) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    const onStack = Object.prototype.hasOwnProperty.call(values, fullKey);
    const hasDefault = declaration.default !== undefined || declaration.value !== undefined;
    if (!onStack && !hasDefault) {
      problems.push(`Stack '${stack}' is missing configuration value ${key}`);
      continue;
    }
    // A declared secret must be encrypted on the stack, and a default is never encrypted.
    const value = onStack ? values[fullKey] : declaration.default;
    if (declaration.secret && !(onStack && isEncrypted(value))) {
      problems.push(`Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`);
      continue;
    }
    if (declaration.type && onStack && !isEncrypted(value) && !fitsType(declaration.type, declaration.items, value)) {
      problems.push(`Stack '${stack}' with configuration key '${key}' must be of type '${declaration.type}'`);
    }
  }
  return problems;
}

/**
 * The project file's JSON schema of the CLI version the SDK pins, read from
 * the Go module the CLI is built from (the Go module proxy serves it; the
 * toolchain script caches it). Never copied into this repository.
 */
export function projectSchema(): object {
  const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
  const version = lock.packages["node_modules/@pulumi/pulumi"].version;
  const module = `github.com/pulumi/pulumi/sdk/v3@v${version}`;
  const info = JSON.parse(execFileSync("go", ["mod", "download", "-json", module], { encoding: "utf8", cwd: ROOT })) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}: ${info.Error ?? "no directory"}`);
  return JSON.parse(readFileSync(path.join(info.Dir, "go/common/workspace/project.json"), "utf8")) as object;
}

/** Schema errors of a project file, as "<path> <message>" lines. */
export function schemaProblems(projectFileText: string): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(projectSchema());
  if (validate(parse(projectFileText))) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""}`);
}
