import { readFileSync } from "node:fs";
import { boundBy, cpuPercent, descendants, machineNote, parseCpuList, parseProcStat, type ProcStat } from "../../bench/cpu";
import { cpuColumns } from "../../bench/harness";

// A real line's shape (proc(5)): pid, (comm), state, ppid, ... utime is field 14, stime 15.
const statLine = (pid: number, comm: string, ppid: number, utime: number, stime: number): string =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1233 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 4242 1104584704 16720 18446744073709551615`;

describe("parseProcStat", () => {
  it("reads the parent and utime + stime in ticks", () => {
    expect(parseProcStat(statLine(4321, "node", 17, 250, 40))).toEqual({ pid: 4321, ppid: 17, cpuTicks: 290 });
  });

  it("counts fields from the last parenthesis, since a command name may hold spaces and parentheses", () => {
    expect(parseProcStat(statLine(88, "nginx: worker (1) ) x", 87, 3, 4))).toEqual({ pid: 88, ppid: 87, cpuTicks: 7 });
  });

  it("refuses a line that is not a stat line, quoting it", () => {
    expect(() => parseProcStat("VmRSS: 1234 kB")).toThrow(/not a \/proc\/<pid>\/stat line: "VmRSS/);
  });

  it("reads this very process's stat file", () => {
    expect(parseProcStat(readFileSync("/proc/self/stat", "utf8"))).toMatchObject({ ppid: expect.any(Number), cpuTicks: expect.any(Number) });
  });
});

describe("machineNote, the line a bench run starts with", () => {
  it("names the CPU model of /proc/cpuinfo, the cores this process may use and the load average", () => {
    const cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
    expect(machineNote(cpuinfo, [1.5, 2, 12.345])).toMatch(/^ran on AMD EPYC 7B13, \d+ cores?, load average 1\.50 2\.00 12\.35 at the start$/);
  });

  it("says so when the kernel names no model (some virtual CPUs)", () => {
    expect(machineNote("processor\t: 0\n", [0, 0, 0])).toMatch(/^ran on an unnamed CPU, /);
  });
});

describe("parseCpuList", () => {
  it("expands ranges and single cores", () => {
    expect(parseCpuList("0-3,5\n")).toEqual([0, 1, 2, 3, 5]);
    expect(parseCpuList("1")).toEqual([1]);
  });

  it("refuses what is not a cpu list", () => {
    expect(() => parseCpuList("3-1")).toThrow(/not a cpu list: "3-1"/);
  });
});

describe("descendants", () => {
  const stat = (pid: number, ppid: number): ProcStat => ({ pid, ppid, cpuTicks: 0 });

  it("finds children and their children, and no sibling of the root", () => {
    const stats = [stat(1, 0), stat(10, 1), stat(20, 10), stat(21, 10), stat(30, 20), stat(11, 1), stat(40, 11)];
    expect(descendants(stats, 10).sort()).toEqual([20, 21, 30]);
  });
});

describe("cpuPercent", () => {
  const sample = (atMs: number, ticks: [number, number][]) => ({ atMs, ticks: new Map(ticks) });

  it("is the ticks spent over the wall time, as % of one core", () => {
    // 150 ticks at 100 per second over 2 s: 0.75 s of CPU a second.
    expect(cpuPercent(sample(1000, [[7, 500]]), sample(3000, [[7, 650]]), 100)).toBeCloseTo(75);
  });

  it("adds up processes, counting one started between the samples from zero", () => {
    expect(cpuPercent(sample(0, [[7, 100], [8, 100]]), sample(1000, [[7, 180], [8, 190], [9, 30]]), 100)).toBeCloseTo(200);
  });

  it("refuses samples out of order", () => {
    expect(() => cpuPercent(sample(2000, []), sample(1000, []), 100)).toThrow(/out of order/);
  });
});

describe("boundBy", () => {
  it("says generator-bound when the generator is above 90 % of its core, whatever the server did", () => {
    expect(boundBy({ generatorPercent: 97, serverPercent: 99, serverCores: 1 })).toBe("generator-bound");
  });

  it("says server-bound when the server is above 90 % of its cores and the generator is not", () => {
    expect(boundBy({ generatorPercent: 60, serverPercent: 95, serverCores: 1 })).toBe("server-bound");
    expect(boundBy({ generatorPercent: 60, serverPercent: 95, serverCores: 3 })).toBe("neither saturated");
    expect(boundBy({ generatorPercent: 60, serverPercent: 275, serverCores: 3 })).toBe("server-bound");
  });

  it("says neither when both had slack", () => {
    expect(boundBy({ generatorPercent: 90, serverPercent: 40, serverCores: 1 })).toBe("neither saturated");
  });
});

describe("cpuColumns, the columns every load row ends with", () => {
  const round = (generatorPercent: number, serverPercent: number) => ({ generatorPercent, serverPercent, serverCores: 1 });

  it("shows one round's figures and its bound", () => {
    expect(cpuColumns([round(96.4, 71.2)])).toEqual({ "server CPU %": 71, "generator CPU %": 96, bound: "generator-bound" });
  });

  it("shows the medians of several rounds, and how many rounds the generator bound when the median does not say so", () => {
    expect(cpuColumns([round(95, 70), round(60, 97), round(62, 96)])).toEqual({
      "server CPU %": 96, "generator CPU %": 62, bound: "server-bound (1 of 3 rounds generator-bound)",
    });
  });
});
