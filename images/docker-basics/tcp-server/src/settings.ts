/** Settings from the environment, checked once at start so a typo fails loudly instead of later. */

export function positiveIntFromEnv(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be a whole number from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

/** The port of the course's `nc -l -p 1234`. */
export const DEFAULT_PORT = 1234;

export const portFromEnv = (name: string): number => positiveIntFromEnv(name, DEFAULT_PORT, 65535);

/** What one client may hold of the server: time, a connection slot, and bytes of an unfinished line. */
export interface ServerLimits {
  /** A connection without a byte in either direction for this long is closed. */
  idleTimeoutMs: number;
  /** Connections open at once; one more is closed as soon as it is accepted. */
  maxConnections: number;
  /** The longest line answered; a longer one gets an error line and the connection is closed. */
  maxLineBytes: number;
}

/**
 * The idle timeout and the cap are the HTTP services' (service-kit's
 * DEFAULT_SERVER_LIMITS, which a test holds these to): a person typing into
 * `nc` gets 30 s between lines. This image has no runtime dependencies, so it
 * states them rather than importing them. A line may be as long as Node lets an
 * HTTP request's headers be (16 KiB), far more than anyone types.
 */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = {
  idleTimeoutMs: 30_000,
  maxConnections: 1024,
  maxLineBytes: 16 * 1024,
};

const HOUR_MS = 3_600_000;

/** The limits, each overridable by its variable (IDLE_TIMEOUT_MS, MAX_CONNECTIONS, MAX_LINE_BYTES). */
export function serverLimitsFromEnv(): ServerLimits {
  return {
    idleTimeoutMs: positiveIntFromEnv("IDLE_TIMEOUT_MS", DEFAULT_SERVER_LIMITS.idleTimeoutMs, HOUR_MS),
    maxConnections: positiveIntFromEnv("MAX_CONNECTIONS", DEFAULT_SERVER_LIMITS.maxConnections, 1_000_000),
    maxLineBytes: positiveIntFromEnv("MAX_LINE_BYTES", DEFAULT_SERVER_LIMITS.maxLineBytes, 1024 * 1024),
  };
}

export interface Target {
  host: string;
  port: number;
}

/** "host:port" as the course's client takes it (`t3c-server:1234`). */
export function parseTarget(text: string): Target {
  const match = /^(.+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new Error(`expected host:port, got "${text}"`);
  return { host: match[1], port };
}
