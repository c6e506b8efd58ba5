/**
 * The probe's settings, all from the environment:
 *
 * NOTIFICATIONS_URL  where to POST (default http://notifications-service:3000/api/notify: the service by container name)
 * OUTPUT_FILE        the file each run appends one latency line to (default /data/latencies.txt, a host bind mount)
 * SECRET_KEY         the service's key: set, the probe encrypts the same fields now (fresh timestamp), so the
 *                    figure is the request's real latency; unset, it sends the assignment's fixed body, whose
 *                    "latency" is the age of its 2023 ciphertext
 * PROBE_ATTEMPTS     tries while the service cannot be reached (default 10, 0.5 s apart), for a probe started with the service
 * REQUEST_TIMEOUT_MS how long one try may take (default 5000)
 */
import { envInt, envOptional, envString, envUrl, ConfigError } from "@container-labs/service-kit";
import { secretKeyBytes } from "@container-labs/notification-cipher";

export interface ProbeConfig {
  url: string;
  outputFile: string;
  body: { kind: "example" } | { kind: "fresh"; key: Buffer };
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
    attempts: envInt("PROBE_ATTEMPTS", 10, { min: 1, max: 1000 }, env),
    timeoutMs: envInt("REQUEST_TIMEOUT_MS", 5000, { min: 1, max: 600000 }, env),
    retryDelayMs: 500,
  };
}
