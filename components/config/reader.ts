/**
 * Reads the keys of one config namespace, collecting every problem instead of
 * stopping at the first, so one preview shows everything to fix. The only
 * code that touches `pulumi.Config`; config.ts and each lab's settings module
 * read through it.
 *
 * Defaults are declared once, in Pulumi.yaml: the CLI hands the program every
 * declared key with its default applied (and the tests' mocks do the same), so
 * a missing key here means the program ran without its project file. An
 * empty string is how Pulumi.yaml spells "unset" (the CLI requires every
 * declared key to have a value or a default).
 */
import * as pulumi from "@pulumi/pulumi";
import { cidrContains, isCidr, isIpv4 } from "./cidr";

/** Thrown with every configuration problem found, one per line. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigurationError";
  }
}

/** An image reference pinned by digest: name@sha256:<64 hex>. */
export const DIGEST_REF = /^[a-z0-9]+(?:[._\-/:][a-z0-9]+)*@sha256:[a-f0-9]{64}$/;
/** A local engine's image ID: what a locally built or loaded image is known by. */
export const IMAGE_ID = /^sha256:[a-f0-9]{64}$/;

export class ConfigReader {
  readonly problems: string[] = [];
  /** Every key read that Pulumi.yaml must declare (tests hold the two to each other). */
  readonly declaredKeys = new Set<string>();
  private readonly config: pulumi.Config;

  constructor(readonly namespace: string) {
    this.config = new pulumi.Config(namespace);
  }

  /** Records a problem with a key: its value and what is allowed. */
  problem(key: string, value: unknown, allowed: string): void {
    this.problems.push(`${this.namespace}:${key} = ${JSON.stringify(value ?? null)}: ${allowed}`);
  }

  check(condition: boolean, key: string, value: unknown, allowed: string): void {
    if (!condition) this.problem(key, value, allowed);
  }

  /** The raw value, or a problem when the key has none (Pulumi.yaml declares a default for every key read this way). */
  private declared(key: string): string {
    this.declaredKeys.add(key);
    const value = this.config.get(key);
    if (value === undefined) {
      this.problem(key, undefined, "a value; Pulumi.yaml declares its default, so run the program from the project directory");
    }
    return value ?? "";
  }

  string(key: string): string {
    return this.declared(key);
  }

  /** A key whose empty default means "unset". */
  optionalString(key: string): string | undefined {
    const value = this.declared(key);
    return value === "" ? undefined : value;
  }

  choice<T extends string>(key: string, choices: readonly T[]): T {
    const value = this.declared(key);
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problem(key, value, `one of ${choices.join(", ")}`);
    return choices[0];
  }

  integer(key: string, min: number, max: number): number {
    const value = this.declared(key);
    const parsed = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (Number.isSafeInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    this.problem(key, value, `an integer from ${min} to ${max}`);
    return min;
  }

  boolean(key: string): boolean {
    const value = this.declared(key);
    if (value === "true" || value === "false") return value === "true";
    this.problem(key, value, "true or false");
    return false;
  }

  stringList(key: string): string[] {
    const value = this.declared(key);
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) return parsed;
    } catch {
      // reported below
    }
    this.problem(key, value, "a list of strings");
    return [];
  }

  /** `"<name>=<value>"` entries as pairs; a malformed entry is reported with `format`. */
  pairs(key: string, format: string): Array<{ entry: string; name: string; value: string }> {
    return this.stringList(key).flatMap((entry) => {
      const [name, value, ...rest] = entry.split("=");
      if (rest.length === 0 && name && value) return [{ entry, name, value }];
      this.problem(key, entry, format);
      return [];
    });
  }

  /** A key Pulumi.yaml does not declare (another namespace's, e.g. aws:region): undefined when unset. */
  undeclared(key: string): string | undefined {
    const value = this.config.get(key);
    return value === "" ? undefined : value;
  }

  cidr(key: string, value: string | undefined): string {
    if (value !== undefined && isCidr(value)) return value;
    this.problem(key, value, "an IPv4 CIDR such as 203.0.113.7/32");
    return "";
  }

  ipInSubnet(key: string, ip: string, subnet: string): string {
    if (!isIpv4(ip)) this.problem(key, ip, "an IPv4 address");
    else if (isCidr(subnet) && !cidrContains(subnet, ip)) this.problem(key, ip, `an address inside ${subnet}`);
    return ip;
  }

  /**
   * An optional secret (secrets cannot have a default in Pulumi.yaml, so they
   * are not declared there), checked while still in plaintext so a bad one
   * fails at preview like any other key; the message gives only the problem,
   * never the value.
   */
  secret(key: string, check?: (value: string) => string | undefined): pulumi.Output<string> | undefined {
    // Read raw: Config.get would warn that the value is a secret.
    const plaintext = pulumi.runtime.getConfig(`${this.namespace}:${key}`);
    if (plaintext === undefined || plaintext === "") return undefined;
    const problem = check?.(plaintext);
    if (problem) this.problems.push(`${this.namespace}:${key} = [secret]: ${problem}`);
    return this.config.requireSecret(key);
  }
}
