/** IPv4 addresses and CIDR ranges, as config values are checked. */

export function isIpv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

export function isCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split("/");
  return rest.length === 0 && isIpv4(ip) && /^\d{1,2}$/.test(bits ?? "") && Number(bits) <= 32;
}

function ipToNumber(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** The first address of a CIDR range and how many addresses it holds. */
function range(cidr: string): { start: number; size: number } {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return { start: Math.floor(ipToNumber(base) / size) * size, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { start, size } = range(cidr);
  const address = ipToNumber(ip);
  return address >= start && address < start + size;
}

/** Whether two CIDR ranges share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = range(a);
  const y = range(b);
  return x.start < y.start + y.size && y.start < x.start + x.size;
}
