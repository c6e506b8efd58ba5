/**
 * The service's settings. Like the course's binary it takes
 * `--secret-key <32 chars> [--external-ip <ip>]` (or -s / -e); SECRET_KEY and
 * EXTERNAL_IP in the environment do the same for a container whose secret
 * should not sit in its command line. A flag wins over the environment.
 * TOKEN_PUBLIC_KEY (a PEM) verifies `?token=`, and DATABASE_URL, as in the
 * course, is where a token's group's latencies are stored.
 */
import type { KeyObject } from "node:crypto";
import { parseArgs } from "node:util";
import { ConfigError, envOptional, envPort } from "@container-labs/service-kit";
import { secretKeyBytes, tokenPublicKey } from "@container-labs/notification-cipher";

/** The course's port. */
export const DEFAULT_PORT = 3000;

export const USAGE = `Usage: notifications-service --secret-key <32 characters> [--external-ip <host>]

  -s, --secret-key <key>    AES-256-GCM key: 32 ASCII characters (or SECRET_KEY)
  -e, --external-ip <host>  host the API docs give as the server address (or EXTERNAL_IP; unset: the
                            docs' own address, wherever the browser loaded them from)
  -h, --help                print this and exit

Environment: PORT (default ${DEFAULT_PORT}), LOG_LEVEL (default info),
  TOKEN_PUBLIC_KEY  PEM of the RSA public key (or certificate) that verifies ?token= (unset: every token is refused)
  DATABASE_URL      postgres://user:password@host:port/db where a token's group's latencies are stored (unset: not stored)`;

export interface ServiceConfig {
  secretKey: Buffer;
  /** The host the API document names as its server; unset: the document's own address (openapi.ts's serverUrl). */
  externalIp?: string;
  port: number;
  tokenPublicKey?: KeyObject;
  databaseUrl?: string;
}

type Env = Record<string, string | undefined>;

/** undefined when --help was asked for. Throws ConfigError (or parseArgs' error) on bad input. */
export function readConfig(argv: string[], env: Env = process.env): ServiceConfig | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      "secret-key": { type: "string", short: "s" },
      "external-ip": { type: "string", short: "e" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;

  const secret = values["secret-key"] ?? envOptional("SECRET_KEY", env);
  if (secret === undefined) throw new ConfigError("--secret-key (or SECRET_KEY)", undefined, "it is required");
  let secretKey: Buffer;
  try {
    secretKey = secretKeyBytes(secret);
  } catch (err) {
    // Never echo the key itself into the log.
    throw new ConfigError("--secret-key (or SECRET_KEY)", "<hidden>", (err as Error).message);
  }

  const externalIp = values["external-ip"] ?? envOptional("EXTERNAL_IP", env);
  if (externalIp !== undefined && !/^[A-Za-z0-9.\-:[\]]+$/.test(externalIp)) {
    throw new ConfigError("--external-ip (or EXTERNAL_IP)", externalIp, "a host name or an IP address");
  }
  return { secretKey, externalIp, port: envPort(DEFAULT_PORT, "PORT", env), tokenPublicKey: readTokenPublicKey(env), databaseUrl: readDatabaseUrl(env) };
}

function readTokenPublicKey(env: Env): KeyObject | undefined {
  const pem = envOptional("TOKEN_PUBLIC_KEY", env);
  if (pem === undefined) return undefined;
  try {
    return tokenPublicKey(pem);
  } catch (err) {
    throw new ConfigError("TOKEN_PUBLIC_KEY", pem.slice(0, 40), `a PEM RSA public key (-----BEGIN PUBLIC KEY-----) or certificate: ${(err as Error).message}`);
  }
}

function readDatabaseUrl(env: Env): string | undefined {
  const url = envOptional("DATABASE_URL", env);
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:$/.test(URL.canParse(url) ? new URL(url).protocol : "")) {
    // Never echo the URL: it may carry the password.
    throw new ConfigError("DATABASE_URL", "<hidden>", "a postgres:// or postgresql:// URL such as postgres://user:password@db:5432/notifications");
  }
  return url;
}
