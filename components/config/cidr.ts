/**
 * IPv4 addresses and CIDR ranges, as config values are checked: read by the
 * same parser the policy pack judges security groups with, so config and
 * pack never disagree on what a range is.
 */
import { parseCidr, type AddressRange } from "../../policy/lib/addresses";

function ipv4Range(cidr: string): AddressRange | undefined {
  const parsed = parseCidr(cidr);
  return parsed?.family === 4 ? parsed : undefined;
}

export function isIpv4(value: string): boolean {
  return !value.includes("/") && ipv4Range(`${value}/32`) !== undefined;
}

export function isCidr(value: string): boolean {
  return ipv4Range(value) !== undefined;
}

/** Whether two IPv4 ranges share at least one address; false when either is not one. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [x, y] = [ipv4Range(a), ipv4Range(b)];
  if (!x || !y) return false;
  const end = (range: AddressRange) => range.first + (1n << BigInt(32 - range.prefix));
  return x.first < end(y) && y.first < end(x);
}

export function cidrContains(cidr: string, ip: string): boolean {
  return isIpv4(ip) && cidrsOverlap(cidr, `${ip}/32`);
}
