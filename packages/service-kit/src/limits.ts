import { ConfigError, envInt } from "./env";

type Env = Record<string, string | undefined>;

/**
 * How long a client may take and how many may be connected at once: what
 * keeps slow or idle clients from holding a service's sockets for minutes.
 * Node's own defaults let a client that never finishes its headers hold a
 * socket for up to 90 s, and put no bound on connections at all.
 */
export interface ServerLimits {
  /** Time to receive a request's headers; a client that sends them slowly (slowloris) gets a 408. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may wait for its next request. */
  keepAliveTimeoutMs: number;
  /** How long a socket may go without a byte in either direction (e.g. a client that stops reading its answer). */
  idleTimeoutMs: number;
  /** Connections open at once; one more is closed as soon as it is accepted. */
  maxConnections: number;
  /** Connections one client address may hold at once (trusted proxies excepted); one more from it is closed as soon as it is accepted. */
  maxConnectionsPerAddress: number;
}

/** A service's own defaults; without its own per-address share it gets a fraction of its cap. */
export type ServerLimitDefaults = Omit<ServerLimits, "maxConnectionsPerAddress"> & { maxConnectionsPerAddress?: number };

/**
 * One address may hold half the cap: the course's load tests come from one
 * machine with up to hundreds of virtual users, each on its own connection,
 * and must fit in one share; the other half stays for everyone else however
 * many sockets one client opens (a review held 1,100 idle ones).
 */
const PER_ADDRESS_SHARE = 1 / 2;

/**
 * The keep-alive timeout is Node's own 5 s: longer than the pauses of the
 * course's load tests (1 s). An nginx in front must drop its idle upstream
 * connections sooner (webstack's keepalive_timeout: 4 s): a request it sends
 * on a connection the service is closing is reset, and nginx does not retry
 * a POST, so its client gets 502. The cap is
 * well above the hundreds of virtual users of the course's load tests.
 */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimitDefaults> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  maxConnections: 1024,
};

/** The environment variable that overrides each limit. */
export const SERVER_LIMIT_VARIABLES: Readonly<Record<keyof ServerLimits, string>> = {
  headersTimeoutMs: "HTTP_HEADERS_TIMEOUT_MS",
  requestTimeoutMs: "HTTP_REQUEST_TIMEOUT_MS",
  keepAliveTimeoutMs: "HTTP_KEEP_ALIVE_TIMEOUT_MS",
  idleTimeoutMs: "HTTP_IDLE_TIMEOUT_MS",
  maxConnections: "HTTP_MAX_CONNECTIONS",
  maxConnectionsPerAddress: "HTTP_MAX_CONNECTIONS_PER_ADDRESS",
};

const HOUR_MS = 3_600_000;
const RANGES: Readonly<Record<keyof ServerLimits, { min: number; max: number }>> = {
  headersTimeoutMs: { min: 100, max: HOUR_MS },
  requestTimeoutMs: { min: 100, max: HOUR_MS },
  keepAliveTimeoutMs: { min: 100, max: HOUR_MS },
  idleTimeoutMs: { min: 100, max: HOUR_MS },
  maxConnections: { min: 1, max: 1_000_000 },
  maxConnectionsPerAddress: { min: 1, max: 1_000_000 },
};

/** The limits a service runs with: its own defaults, each overridden by its HTTP_* environment variable. */
export function readServerLimits(env: Env = process.env, defaults: ServerLimitDefaults = DEFAULT_SERVER_LIMITS): ServerLimits {
  const read = (limit: keyof ServerLimits, fallback: number): number => envInt(SERVER_LIMIT_VARIABLES[limit], fallback, RANGES[limit], env);
  const maxConnections = read("maxConnections", defaults.maxConnections);
  const limits: ServerLimits = {
    headersTimeoutMs: read("headersTimeoutMs", defaults.headersTimeoutMs),
    requestTimeoutMs: read("requestTimeoutMs", defaults.requestTimeoutMs),
    keepAliveTimeoutMs: read("keepAliveTimeoutMs", defaults.keepAliveTimeoutMs),
    idleTimeoutMs: read("idleTimeoutMs", defaults.idleTimeoutMs),
    maxConnections,
    maxConnectionsPerAddress: read(
      "maxConnectionsPerAddress",
      Math.min(maxConnections, defaults.maxConnectionsPerAddress ?? Math.ceil(maxConnections * PER_ADDRESS_SHARE)),
    ),
  };
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      SERVER_LIMIT_VARIABLES.headersTimeoutMs,
      String(limits.headersTimeoutMs),
      `at most ${SERVER_LIMIT_VARIABLES.requestTimeoutMs} (${limits.requestTimeoutMs})`,
    );
  }
  if (limits.maxConnectionsPerAddress > limits.maxConnections) {
    throw new ConfigError(
      SERVER_LIMIT_VARIABLES.maxConnectionsPerAddress,
      String(limits.maxConnectionsPerAddress),
      `at most ${SERVER_LIMIT_VARIABLES.maxConnections} (${limits.maxConnections})`,
    );
  }
  return limits;
}
