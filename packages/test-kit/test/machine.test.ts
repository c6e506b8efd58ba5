import { grantableCapabilities } from "@container-labs/test-kit";

describe("grantableCapabilities", () => {
  it("names every capability of the bounding set that Docker 20.10 knows, leaving out those the set lacks", () => {
    // This build machine's root: every capability up to CHECKPOINT_RESTORE (40) but SYS_RESOURCE (24).
    const granted = grantableCapabilities("Name:\tnode\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n");
    expect(granted).toHaveLength(37);
    expect(granted).toEqual(expect.arrayContaining(["CHOWN", "SYS_ADMIN", "NET_ADMIN", "MKNOD", "AUDIT_READ"]));
    // Not SYS_RESOURCE (not in the set), nor PERFMON, BPF and CHECKPOINT_RESTORE (38 to 40), which Docker 20.10 refuses by name.
    expect(granted).not.toContain("SYS_RESOURCE");
    expect(grantableCapabilities("CapBnd:\t0000000000000003\n")).toEqual(["CHOWN", "DAC_OVERRIDE"]);
  });

  it("fails on a status without a bounding set", () => {
    expect(() => grantableCapabilities("Name:\tnode\n")).toThrow("no CapBnd line in /proc/self/status");
  });
});
