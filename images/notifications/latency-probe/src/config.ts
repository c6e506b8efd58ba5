/**
 * The probe's settings, all from the environment:
 *
 * NOTIFICATIONS_URL  where to POST (default http://notifications-service:3000/api/notify: the service by container name)
 * OUTPUT_FILE        the file each run appends one latency line to (default /data/latencies.txt, a host bind mount)
 * SECRET_KEY         the service's key: set, the probe encrypts the same fields now (fresh timestamp), so the
 *                    figure is the request's real latency; unset, it sends the assignment's fixed body, whose
 *                    "latency" is the age of its 2023 ciphertext
 * TOKEN_PRIVATE_KEY  with GROUP: the PEM of the RSA private key the service's TOKEN_PUBLIC_KEY matches; the probe
 * GROUP              signs a short-lived token for GROUP (RS256, sub = GROUP) and posts with ?token=, so the service
 *                    counts the answer under the group and, with a database, stores the latency for it
 * PROBE_ATTEMPTS     tries while the service cannot be reached (default 10, 0.5 s apart), for a probe started with the service
 * REQUEST_TIMEOUT_MS how long one try may take (default 5000)
 */
import type { KeyObject } from "node:crypto";
import { envInt, envOptional, envString, envUrl, ConfigError } from "@container-labs/service-kit";
import { secretKeyBytes, tokenPrivateKey } from "@container-labs/notification-cipher";

/** How long a probe's token is valid: a few minutes, enough for every retry of one run. */
export const TOKEN_TTL_SECONDS = 300;

export interface ProbeConfig {
  url: string;
  outputFile: string;
  body: { kind: "example" } | { kind: "fresh"; key: Buffer };
  /** Set: each try carries a token signed now for this group. */
  token?: { privateKey: KeyObject; group: string };
  attempts: number;
  timeoutMs: number;
  retryDelayMs: number;
}

type Env = Record<string, string | undefined>;

export function readConfig(env: Env = process.env): ProbeConfig {
  let body: ProbeConfig["body"] = { kind: "example" };
  const secret = envOptional("SECRET_KEY", env);
  if (secret !== undefined) {
    try {
      body = { kind: "fresh", key: secretKeyBytes(secret) };
    } catch (err) {
      throw new ConfigError("SECRET_KEY", "<hidden>", (err as Error).message);
    }
  }
  const url = envUrl("NOTIFICATIONS_URL", "http://notifications-service:3000/api/notify", env);
  // "notifications-service:3000/api/notify" parses as a URL whose scheme is "notifications-service:".
  if (!/^https?:$/.test(new URL(url).protocol)) {
    throw new ConfigError("NOTIFICATIONS_URL", url, "an http:// or https:// URL such as http://notifications-service:3000/api/notify");
  }
  return {
    url,
    outputFile: envString("OUTPUT_FILE", "/data/latencies.txt", env),
    body,
    token: readToken(env),
    attempts: envInt("PROBE_ATTEMPTS", 10, { min: 1, max: 1000 }, env),
    timeoutMs: envInt("REQUEST_TIMEOUT_MS", 5000, { min: 1, max: 600000 }, env),
    retryDelayMs: 500,
  };
}

function readToken(env: Env): ProbeConfig["token"] {
  const pem = envOptional("TOKEN_PRIVATE_KEY", env);
  const group = envOptional("GROUP", env);
  if (pem === undefined && group === undefined) return undefined;
  if (pem === undefined) throw new ConfigError("TOKEN_PRIVATE_KEY", undefined, "required with GROUP: the PEM of the key that signs the group's token");
  if (group === undefined) throw new ConfigError("GROUP", undefined, "required with TOKEN_PRIVATE_KEY: the group the token names, e.g. group1");
  try {
    return { privateKey: tokenPrivateKey(pem), group };
  } catch (err) {
    throw new ConfigError("TOKEN_PRIVATE_KEY", "<hidden>", `a PEM RSA private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----): ${(err as Error).message}`);
  }
}
