/**
 * Checks of the local engine made before any resource is registered, so a
 * preview fails with a message naming the setting to change instead of a
 * provider error halfway through `up`: the engine must answer at
 * `localDockerHost`, and kleeweb's fixed subnet must not overlap a network
 * that something else already made there.
 */
import * as http from "node:http";
import { cidrsOverlap } from "../config/cidr";
import { ConfigurationError } from "../config/reader";

/** A network whose subnet a lab fixes (kleeweb's), checked against the engine's networks before `up`. */
export interface FixedSubnet {
  /** The config key that sets it, for messages. */
  key: string;
  subnet: string;
  /** The Docker network that holds it. */
  network: string;
}

export interface EngineNetwork {
  name: string;
  subnets: string[];
}

export interface PreflightArgs {
  /** The engine's endpoint (localDockerHost). */
  endpoint: string;
  /** Fixed subnets the labs need, each with the network that holds it (which may exist already from an earlier `up`). */
  fixedSubnets: FixedSubnet[];
}

/** GET on the Engine API at a unix:// or tcp:// endpoint; undefined for transports this check does not speak (ssh://). */
export function engineGet(endpoint: string, path: string): Promise<string> | undefined {
  return engineRequest(endpoint, "GET", path);
}

/** A request to the Engine API at a unix:// or tcp:// endpoint (its 2xx answer's body); undefined for other transports (ssh://). */
export function engineRequest(endpoint: string, method: "GET" | "DELETE", path: string): Promise<string> | undefined {
  const target = endpoint.startsWith("unix://")
    ? { socketPath: endpoint.slice("unix://".length) }
    : endpoint.startsWith("tcp://")
      ? { host: new URL(endpoint.replace(/^tcp:/, "http:")).hostname, port: Number(new URL(endpoint.replace(/^tcp:/, "http:")).port || 2375) }
      : undefined;
  if (!target) return undefined;
  return new Promise((resolve, reject) => {
    const request = http.request({ ...target, method, path, timeout: 5000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(body);
        else reject(new Error(`HTTP ${status}: ${body.trim()}`));
      });
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 5 s")));
    request.on("error", reject);
    request.end();
  });
}

/** An Engine API listing (e.g. /containers/json) narrowed by Docker's `filters`, parsed; undefined where engineGet is. */
export async function engineList<T>(endpoint: string, path: string, filters: Record<string, string[]>): Promise<T | undefined> {
  const separator = path.includes("?") ? "&" : "?";
  const answer = engineGet(endpoint, `${path}${separator}filters=${encodeURIComponent(JSON.stringify(filters))}`);
  return answer && (JSON.parse(await answer) as T);
}

/** The engine's networks and their IPv4 subnets. */
export function parseNetworks(json: string): EngineNetwork[] {
  const networks = JSON.parse(json) as Array<{ Name: string; IPAM?: { Config?: Array<{ Subnet?: string }> | null } }>;
  return networks.map((network) => ({
    name: network.Name,
    subnets: (network.IPAM?.Config ?? []).flatMap((config) => (config.Subnet && !config.Subnet.includes(":") ? [config.Subnet] : [])),
  }));
}

/** A /16 in Docker's private ranges that overlaps none of the engine's networks, to suggest. */
function freeSubnet(networks: EngineNetwork[]): string | undefined {
  const taken = networks.flatMap((network) => network.subnets);
  for (let second = 30; second >= 20; second--) {
    const candidate = `172.${second}.0.0/16`;
    if (!taken.some((subnet) => cidrsOverlap(subnet, candidate))) return candidate;
  }
  return undefined;
}

/** The problems a fixed subnet has on an engine with these networks. */
export function subnetProblems(fixed: FixedSubnet, networks: EngineNetwork[], namespace: string): string[] {
  return networks
    .filter((network) => network.name !== fixed.network)
    .flatMap((network) => network.subnets.filter((subnet) => cidrsOverlap(subnet, fixed.subnet)).map((subnet) => ({ network, subnet })))
    .map(({ network, subnet }) => {
      const free = freeSubnet(networks);
      const fix = free
        ? `set a free range, e.g. npm run pulumi -- config set ${fixed.key} ${free} (and the gateway inside it: ${free.replace(/0\/16$/, "1")}), or remove that network`
        : "set a free range, or remove that network";
      return `${namespace}:${fixed.key} = ${JSON.stringify(fixed.subnet)}: overlaps the engine's network "${network.name}" (${subnet}); ${fix}`;
    });
}

/** Throws a ConfigurationError when the engine does not answer or a fixed subnet is taken. */
export async function checkEngine(args: PreflightArgs, namespace: string): Promise<void> {
  const answer = engineGet(args.endpoint, "/networks");
  if (!answer) return;
  let networks: EngineNetwork[];
  try {
    networks = parseNetworks(await answer);
  } catch (err) {
    throw new ConfigurationError([
      `${namespace}:localDockerHost = ${JSON.stringify(args.endpoint)}: no Docker engine answers there (${(err as Error).message}); start Docker, or name your engine with DOCKER_HOST or with npm run pulumi -- config set localDockerHost <endpoint> (localDockerHost wins when both are set)`,
    ]);
  }
  const problems = args.fixedSubnets.flatMap((fixed) => subnetProblems(fixed, networks, namespace));
  if (problems.length > 0) throw new ConfigurationError(problems);
}
