import { isIP } from "node:net";

/**
 * Reading a service's settings from its environment. Every reader throws a
 * ConfigError naming the variable, the bad value and what is allowed, so a
 * misconfigured container stops at start with one clear line in its log.
 */
export class ConfigError extends Error {
  constructor(variable: string, value: string | undefined, allowed: string) {
    super(`${variable}=${JSON.stringify(value ?? "")} is not valid: ${allowed}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/** A required or defaulted string. */
export function envString(name: string, fallback?: string, env: Env = process.env): string {
  const value = raw(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(name, undefined, "it is required");
  return value;
}

/** An optional string: undefined when unset or empty. */
export function envOptional(name: string, env: Env = process.env): string | undefined {
  return raw(env, name);
}

/** An integer within [min, max]. */
export function envInt(
  name: string,
  fallback: number,
  range: { min: number; max: number },
  env: Env = process.env,
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new ConfigError(name, value, `an integer from ${range.min} to ${range.max}`);
  }
  return parsed;
}

/** A TCP port to listen on (PORT by default). */
export function envPort(fallback: number, name = "PORT", env: Env = process.env): number {
  return envInt(name, fallback, { min: 1, max: 65535 }, env);
}

/** One DNS label: letters, digits and inner hyphens, at most 63 characters. */
const HOSTNAME_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** An address to listen on or connect to: an IPv4 or IPv6 address, or a host name such as localhost. */
export function envHost(name: string, fallback: string, env: Env = process.env): string {
  const value = raw(env, name) ?? fallback;
  const isHostname = value.length <= 253 && value.split(".").every((label) => HOSTNAME_LABEL.test(label));
  if (isIP(value) === 0 && !isHostname) {
    throw new ConfigError(name, value, "an IP address such as 127.0.0.1, 0.0.0.0 or ::, or a host name such as localhost");
  }
  return value;
}

/** An absolute http(s) or redis/postgres URL; returned as given, validated by URL parsing. */
export function envUrl(name: string, fallback?: string, env: Env = process.env): string {
  const value = envString(name, fallback, env);
  try {
    new URL(value);
  } catch {
    throw new ConfigError(name, value, "an absolute URL such as http://host:port/path");
  }
  return value;
}

/** One of a fixed set of words. */
export function envChoice<T extends string>(name: string, choices: readonly T[], fallback: T, env: Env = process.env): T {
  const value = raw(env, name) ?? fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(name, value, `one of ${choices.join(", ")}`);
  }
  return value as T;
}
