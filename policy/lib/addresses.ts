/**
 * IPv4 and IPv6 addresses and CIDR ranges: the one place they are parsed and
 * measured, for the policy pack, config validation (components/config/cidr.ts)
 * and the test tooling (the private engine's bridge). It imports nothing, so
 * Node runs it as it is (type stripping) for the scripts, before `npm ci`.
 */

/** A CIDR range: its address family, prefix length and first address. */
export interface AddressRange {
  family: 4 | 6;
  prefix: number;
  first: bigint;
}

const FAMILY_BITS = { 4: 32, 6: 128 } as const;

function ipv4Value(text: string): bigint | undefined {
  const octets = text.split(".");
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) return undefined;
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

/** An IPv6 address as a number: eight groups, `::` once, and an IPv4 address in place of the last two groups. */
function ipv6Value(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    const pieces = part.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes(".")) {
        const v4 = ipv4Value(piece);
        if (v4 === undefined) return undefined;
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<number>(missing).fill(0), ...tail].reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function addressValue(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = ipv4Value(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(":") ? ipv6Value(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** `address/prefix` (IPv4 or IPv6) as a range, or undefined when the text is not exactly that. */
export function parseCidr(cidr: string): AddressRange | undefined {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr);
  const address = match && addressValue(match[1]);
  if (!match || !address) return undefined;
  const prefix = Number(match[2]);
  const bits = FAMILY_BITS[address.family];
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { family: address.family, prefix, first: (address.value >> hostBits) << hostBits };
}

/**
 * Ranges that together cover more than this share of their address family
 * are "the world". A /8 (1/256 of IPv4: 16.7 million addresses) is the
 * largest range anyone can call their own network (10.0.0.0/8 behind a VPN);
 * one more address is not. For IPv6 the same share is a /8, and every
 * public IPv6 host lives in 2000::/3, so the world cannot hide there either.
 * Splitting the world into halves (0.0.0.0/1 + 128.0.0.0/1) or /8s does not
 * help: ranges are added up, overlaps counted once.
 */
const WORLD_SHARE_DENOMINATOR = 256n;

/** How many addresses the ranges of one family cover together, overlaps counted once. */
function coveredAddresses(ranges: AddressRange[]): bigint {
  const spans = ranges
    .map((range) => ({ start: range.first, end: range.first + (1n << BigInt(FAMILY_BITS[range.family] - range.prefix)) }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let covered = 0n;
  let reached = -1n;
  for (const { start, end } of spans) {
    if (end <= reached) continue;
    covered += end - (start > reached ? start : reached);
    reached = end;
  }
  return covered;
}

/**
 * Whether these ranges, together, let in the world: more than a /8's share
 * of IPv4 or of IPv6 (see WORLD_SHARE_DENOMINATOR). Text that is not a CIDR
 * range counts as the world, so a typo fails closed. Config validation
 * (ec2AllowedCidr, ec2SshCidr) and the policy pack share this predicate.
 */
export function isOpenToTheWorld(cidrs: string | readonly string[]): boolean {
  const ranges = (typeof cidrs === "string" ? [cidrs] : cidrs).map(parseCidr);
  if (ranges.some((range) => range === undefined)) return true;
  return ([4, 6] as const).some((family) => {
    const covered = coveredAddresses(ranges.filter((range): range is AddressRange => range?.family === family));
    return covered * WORLD_SHARE_DENOMINATOR > 1n << BigInt(FAMILY_BITS[family]);
  });
}

/** Whether a published port's host address is loopback: 127.0.0.0/8 or ::1, in any spelling (::ffff:127.0.0.1 too). */
export function isLoopbackAddress(address: string): boolean {
  const parsed = addressValue(address);
  if (!parsed) return false;
  if (parsed.family === 4) return parsed.value >> 24n === 127n;
  const mappedV4 = 0xffffn << 32n;
  return parsed.value === 1n || (parsed.value >> 32n === 0xffffn && (parsed.value - mappedV4) >> 24n === 127n);
}

function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/** The network an IPv4 `address/prefix` lies in, as a range (10.250.3.1/24 -> 10.250.3.0/24); undefined when it is not one. */
export function ipv4NetworkOf(cidr: string): string | undefined {
  const range = parseCidr(cidr);
  return range?.family === 4 ? `${ipv4Text(range.first)}/${range.prefix}` : undefined;
}
