import { ipv4NetworkOf, isLoopbackAddress, isOpenToTheWorld, parseCidr } from "../lib/addresses";

describe("isOpenToTheWorld: the predicate config validation shares with the pack", () => {
  it.each([
    ["0.0.0.0/0"],
    ["::/0"],
    ["0.0.0.0/1"],
    ["128.0.0.0/1"],
    ["0.0.0.0/7"],
    ["2000::/3"],
    ["::/1"],
  ])("%s alone is the world", (cidr) => {
    expect(isOpenToTheWorld(cidr)).toBe(true);
  });

  it.each([
    ["203.0.113.7/32"],
    ["198.51.100.0/24"],
    ["172.16.0.0/12"],
    ["10.0.0.0/8"],
    ["2001:db8::/32"],
    ["2001:db8:1234::/48"],
  ])("%s alone is a network of its own", (cidr) => {
    expect(isOpenToTheWorld(cidr)).toBe(false);
  });

  it("adds ranges up, counting overlaps once: 129 /8s are the world, one /8 listed 200 times is not", () => {
    const slash8s = (count: number) => Array.from({ length: count }, (_, index) => `${index}.0.0.0/8`);
    expect(isOpenToTheWorld(slash8s(2))).toBe(true);
    expect(isOpenToTheWorld(Array.from({ length: 200 }, () => "11.0.0.0/8"))).toBe(false);
    expect(isOpenToTheWorld(["11.0.0.0/8", "11.1.0.0/16", "11.0.0.0/9"])).toBe(false);
  });

  it("judges each address family against its own size", () => {
    expect(isOpenToTheWorld(["10.0.0.0/8", "2001:db8::/32"])).toBe(false);
    expect(isOpenToTheWorld(["10.0.0.0/8", "2000::/3"])).toBe(true);
  });

  it("treats text that is not a range as the world (fail closed); no range at all is nobody", () => {
    expect(isOpenToTheWorld("0.0.0.0")).toBe(true);
    expect(isOpenToTheWorld("300.0.0.0/8")).toBe(true);
    expect(isOpenToTheWorld("10.0.0.0/33")).toBe(true);
    expect(isOpenToTheWorld([])).toBe(false);
  });
});

describe("parseCidr", () => {
  it("reads IPv4, compressed IPv6 and IPv6 with an embedded IPv4 address", () => {
    expect(parseCidr("10.1.2.3/8")).toEqual({ family: 4, prefix: 8, first: 0x0a000000n });
    expect(parseCidr("2001:db8::/32")).toEqual({ family: 6, prefix: 32, first: 0x20010db8n << 96n });
    expect(parseCidr("::ffff:10.0.0.0/104")).toEqual({ family: 6, prefix: 104, first: (0xffffn << 32n) | 0x0a000000n });
  });

  it("refuses what is not a range", () => {
    for (const text of ["10.0.0.0", "10.0.0/8", "10.0.0.256/8", "1::2::3/64", "2001:db8::/129", "10.0.0.0/-1", "10.0.0.0/8 "]) {
      expect({ text, range: parseCidr(text) }).toEqual({ text, range: undefined });
    }
  });
});

describe("isLoopbackAddress", () => {
  it("is true for 127.0.0.0/8 and ::1 in any spelling, false for every other address", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) expect({ address, loopback: isLoopbackAddress(address) }).toEqual({ address, loopback: true });
    for (const address of ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "128.0.0.1", "localhost", ""]) expect({ address, loopback: isLoopbackAddress(address) }).toEqual({ address, loopback: false });
  });
});

describe("ipv4NetworkOf", () => {
  it("is the network an address with its prefix lies in, the private engine's bridge for one", () => {
    expect(ipv4NetworkOf("10.250.250.1/24")).toBe("10.250.250.0/24");
    expect(ipv4NetworkOf("10.250.3.77/20")).toBe("10.250.0.0/20");
    expect(ipv4NetworkOf("192.168.1.1/32")).toBe("192.168.1.1/32");
    expect(ipv4NetworkOf("255.255.255.255/0")).toBe("0.0.0.0/0");
  });

  it("is undefined for what is not an IPv4 range", () => {
    for (const text of ["10.250.250.1", "10.250.250.1/33", "2001:db8::1/64", ""]) expect({ text, network: ipv4NetworkOf(text) }).toEqual({ text, network: undefined });
  });
});
