import { list } from "./properties";
import { TYPES } from "./resourceTypes";

/** One ingress permission, whichever of the three AWS resource shapes it came from. */
export interface Ingress {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
}

/** Ports that give control of the host to whoever reaches them. */
export const ADMIN_PORTS: ReadonlyMap<number, string> = new Map([
  [22, "SSH"],
  [2375, "the Docker API (plaintext)"],
  [2376, "the Docker API (TLS)"],
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

/** A /0 prefix is every address: 0.0.0.0/0, ::/0, or any spelling of them. */
export function isWholeInternet(cidr: string): boolean {
  return cidr.trim().endsWith("/0");
}

/** Whether a permission lets TCP reach `port`: "-1"/"all" is every protocol and port. */
export function allowsTcpPort(ingress: Ingress, port: number): boolean {
  const protocol = ingress.protocol.toLowerCase();
  if (protocol === "-1" || protocol === "all") return true;
  if (protocol !== "tcp" && protocol !== "6") return false;
  return (ingress.fromPort ?? 0) <= port && port <= (ingress.toPort ?? ingress.fromPort ?? 65535);
}
