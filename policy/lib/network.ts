import { list } from "./properties";
import { TYPES } from "./resourceTypes";
import { parseCidr } from "./addresses";

/** One ingress permission, whichever of the three AWS resource shapes it came from. */
export interface Ingress {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
}

export const SSH_PORT = 22;
export const DOCKER_PLAINTEXT_PORT = 2375;
/** The Docker API with mutual TLS: the port the EC2 host's engine listens on. */
export const DOCKER_TLS_PORT = 2376;

/** Ports that give control of the host to whoever reaches them. */
export const ADMIN_PORTS: ReadonlyMap<number, string> = new Map([
  [SSH_PORT, "SSH"],
  [DOCKER_PLAINTEXT_PORT, "the Docker API (plaintext)"],
  [DOCKER_TLS_PORT, "the Docker API (TLS)"],
]);

function cidrsOf(...values: unknown[]): string[] {
  return values.flatMap((value) => (typeof value === "string" ? [value] : list<string>(value)));
}

/** The ingress permissions a resource grants; none for other types and for egress rules. */
export function ingressOf(type: string, props: Record<string, any>): Ingress[] {
  switch (type) {
    case TYPES.securityGroup:
      return list<Record<string, any>>(props.ingress).map((rule) => ({
        protocol: String(rule.protocol),
        fromPort: rule.fromPort,
        toPort: rule.toPort,
        cidrs: cidrsOf(rule.cidrBlocks, rule.ipv6CidrBlocks),
      }));
    case TYPES.securityGroupRule:
      return props.type === "ingress"
        ? [{ protocol: String(props.protocol), fromPort: props.fromPort, toPort: props.toPort, cidrs: cidrsOf(props.cidrBlocks, props.ipv6CidrBlocks) }]
        : [];
    case TYPES.securityGroupIngressRule:
      return [{ protocol: String(props.ipProtocol), fromPort: props.fromPort, toPort: props.toPort, cidrs: cidrsOf(props.cidrIpv4, props.cidrIpv6) }];
    default:
      return [];
  }
}

/**
 * The widest single range that may reach an admin port: an IPv4 /16 (65,536
 * addresses, a campus or a company's block) or an IPv6 /32 (one ISP's or
 * institution's allocation). Anything wider, such as 52.0.0.0/8 (a cloud
 * provider's space, where anyone can rent an address), is not "your own
 * network"; several networks are listed as several ranges.
 */
export const NARROWEST_ADMIN_PREFIX = { 4: 16, 6: 32 } as const;

/**
 * Why `cidr` may not reach SSH or the Docker API, or undefined when it may.
 * Config validation (ec2AllowedCidr, ec2SshCidr) and the policy pack both ask
 * this, so a value config accepts is one the pack accepts.
 */
export function adminSourceProblem(cidr: string): string | undefined {
  const range = parseCidr(cidr);
  if (!range) return `${JSON.stringify(cidr)} is not a CIDR range`;
  const narrowest = NARROWEST_ADMIN_PREFIX[range.family];
  if (range.prefix >= narrowest) return undefined;
  return `${cidr} is wider than a /${narrowest}`;
}

/** Whether a permission lets TCP reach `port`: "-1"/"all" is every protocol and port. */
export function allowsTcpPort(ingress: Ingress, port: number): boolean {
  const protocol = ingress.protocol.toLowerCase();
  if (protocol === "-1" || protocol === "all") return true;
  if (protocol !== "tcp" && protocol !== "6") return false;
  return (ingress.fromPort ?? 0) <= port && port <= (ingress.toPort ?? ingress.fromPort ?? 65535);
}
