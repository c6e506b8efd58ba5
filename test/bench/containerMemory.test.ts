import { readFileSync } from "node:fs";
import { memoryCgroupOf, parseMemoryStat, readContainerMemory, workingSetBytes } from "../../bench/containerMemory";

describe("memoryCgroupOf", () => {
  it("finds the v1 hierarchy holding the memory controller, wherever it sits among others", () => {
    const proc = "12:pids:/docker/abc\n4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n";
    expect(memoryCgroupOf(proc, "/cg")).toEqual({ version: 1, dir: "/cg/memory/docker/abc" });
    expect(memoryCgroupOf("7:cpuset,memory:/docker/def\n", "/cg")).toEqual({ version: 1, dir: "/cg/memory/docker/def" });
  });

  it("takes the unified hierarchy's line on cgroup v2, where no v1 memory controller is mounted", () => {
    expect(memoryCgroupOf("0::/system.slice/docker-abc.scope\n", "/cg")).toEqual({ version: 2, dir: "/cg/system.slice/docker-abc.scope" });
  });

  it("refuses a file with neither", () => {
    expect(() => memoryCgroupOf("5:cpu:/x\n")).toThrow(/no memory cgroup in "5:cpu/);
  });
});

describe("workingSetBytes: usage minus inactive file cache, as docker stats computes it", () => {
  const stat = parseMemoryStat("cache 1204224\nrss 43196416\ntotal_inactive_file 266240\ninactive_file 999\n");

  it("parses memory.stat into numbers", () => {
    expect(stat.get("rss")).toBe(43196416);
    expect(stat.get("total_inactive_file")).toBe(266240);
  });

  it("subtracts total_inactive_file on cgroup v1 (the hierarchy's, children included)", () => {
    expect(workingSetBytes(1, 48279552, stat)).toBe(48279552 - 266240);
  });

  it("subtracts inactive_file on cgroup v2", () => {
    expect(workingSetBytes(2, 5000, stat)).toBe(5000 - 999);
  });

  it("never goes below zero", () => {
    expect(workingSetBytes(1, 1000, stat)).toBe(0);
  });
});

describe("readContainerMemory", () => {
  it("reads this very process's memory cgroup (the same files a container's init has)", () => {
    const memory = readContainerMemory(process.pid);
    const { version } = memoryCgroupOf(readFileSync("/proc/self/cgroup", "utf8"));
    expect(memory.workingSetBytes).toBeGreaterThan(0);
    if (version === 1) expect(memory.peakBytes).toBeGreaterThanOrEqual(memory.workingSetBytes);
  });
});
