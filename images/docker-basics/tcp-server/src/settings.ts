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
