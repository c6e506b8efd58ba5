/**
 * Who a benchmark round measured: the server or the load generator. The
 * generator (autocannon) runs inside the bench's own Node process; every
 * server is a process the bench started (a child or a child's child). Where
 * the machine lets this process use two or more cores, the generator is
 * pinned to the first and the servers to the others, so neither takes the
 * other's core; and each round reads both sides' CPU time from /proc, so a
 * row says whether the generator was the limit.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";

/** Above this share of its one core the generator, not the server, sets the pace. */
export const SATURATED_PERCENT = 90;

/** The figures of /proc/<pid>/stat a round needs. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line (proc(5)). The command name, field 2, is
 * in parentheses and may itself hold spaces and parentheses, so the fields
 * are counted from the last ")".
 */
export function parseProcStat(line: string): ProcStat {
  const close = line.lastIndexOf(")");
  const pid = Number(line.slice(0, line.indexOf(" (")));
  // After ") ": state (field 3), ppid (4), ... utime (14), stime (15).
  const fields = line.slice(close + 2).trim().split(" ");
  const [ppid, utime, stime] = [fields[1], fields[11], fields[12]].map(Number);
  if (close < 0 || ![pid, ppid, utime, stime].every(Number.isInteger)) {
    throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(line.slice(0, 120))}`);
  }
  return { pid, ppid, cpuTicks: utime + stime };
}

/** A cpu list as the kernel writes it ("0-3,5", Cpus_allowed_list in /proc/<pid>/status) as core numbers. */
export function parseCpuList(list: string): number[] {
  return list.trim().split(",").filter(Boolean).flatMap((part) => {
    const [first, last = first] = part.split("-").map(Number);
    if (!Number.isInteger(first) || !Number.isInteger(last) || last < first) throw new Error(`not a cpu list: ${JSON.stringify(list)}`);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

/** Every process below `root` in the process tree (children, their children...), from all processes' stats. */
export function descendants(stats: ProcStat[], root: number): number[] {
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const stat of stats) {
      if (stat.ppid === parent && !found.includes(stat.pid)) {
        found.push(stat.pid);
        frontier.push(stat.pid);
      }
    }
  }
  return found;
}

/** CPU time of a set of processes at one instant. */
export interface CpuSample {
  atMs: number;
  ticks: Map<number, number>;
}

/**
 * The processes' CPU use between two samples, in % of one core (200 = two
 * cores busy). A process that started between them counts from zero; one
 * that ended before the second sample is lost (its ticks are gone with it).
 */
export function cpuPercent(before: CpuSample, after: CpuSample, ticksPerSecond: number): number {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) throw new Error(`samples out of order: ${before.atMs} ms then ${after.atMs} ms`);
  let ticks = 0;
  for (const [pid, now] of after.ticks) ticks += now - (before.ticks.get(pid) ?? 0);
  return (100 * ticks) / ticksPerSecond / seconds;
}

/** Both sides of a round: each as % of one core, the server's over the cores it had. */
export interface RoundCpu {
  generatorPercent: number;
  serverPercent: number;
  serverCores: number;
}

export type Bound = "generator-bound" | "server-bound" | "neither saturated";

/**
 * Which side set the pace: the generator when it kept its one core above
 * 90 % busy (the server then had slack the figures do not show); else the
 * server when it kept its cores above 90 %; else neither, which on a shared
 * machine means other work took the cores, or the server waited on I/O.
 */
export function boundBy(cpu: RoundCpu): Bound {
  if (cpu.generatorPercent > SATURATED_PERCENT) return "generator-bound";
  if (cpu.serverPercent > SATURATED_PERCENT * cpu.serverCores) return "server-bound";
  return "neither saturated";
}

function readStat(pid: number | "self"): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // the process ended while we looked
  }
}

function allStats(): ProcStat[] {
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => readStat(Number(name)) ?? []);
}

/** Where this process and the servers it started run during a round: cores chosen once per bench run. */
interface Placement {
  allowed: number[];
  generatorCores: number[];
  serverCores: number[];
  pinned: boolean;
}

let placement: Placement | undefined;

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of `pid` (-a: autocannon's sockets and libuv's pool too) to `cores`. */
function pin(pid: number, cores: number[]): void {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cores.join(","), String(pid)], { stdio: "ignore" });
  } catch {
    // The process ended between listing and pinning: it has no round to spoil.
  }
}

/** Chooses the cores on first use. */
function place(): Placement {
  if (placement) return placement;
  const status = readFileSync("/proc/self/status", "utf8");
  const allowed = parseCpuList(/^Cpus_allowed_list:\s*(.*)$/m.exec(status)?.[1] ?? "");
  const pinned = allowed.length >= 2 && hasTaskset();
  placement = pinned
    ? { allowed, generatorCores: allowed.slice(0, 1), serverCores: allowed.slice(1), pinned }
    : { allowed, generatorCores: allowed, serverCores: allowed, pinned };
  return placement;
}

/** One line for the top of a bench run: where the generator and the servers run. */
export function placementNote(): string {
  const { generatorCores, serverCores, pinned } = place();
  return pinned
    ? `during each load run: the load generator (this process) pinned to core ${generatorCores.join(",")}, the servers to core ${serverCores.join(",")} (taskset)`
    : `not pinned (cores ${generatorCores.join(",")}${hasTaskset() ? "" : ", no taskset"}): generator and servers share the cores`;
}

/**
 * One line for the top of a bench run: the machine's CPU, the cores this
 * process may use, and the load average as the run starts (figures from a
 * shared machine say how busy it was).
 */
export function machineNote(cpuinfo = readFileSync("/proc/cpuinfo", "utf8"), load = loadavg()): string {
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() || "an unnamed CPU";
  const cores = place().allowed.length;
  return `ran on ${model}, ${cores} core${cores === 1 ? "" : "s"}, load average ${load.map((value) => value.toFixed(2)).join(" ")} at the start`;
}

function sample(pids: number[]): CpuSample {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) ticks.set(pid, stat.cpuTicks);
  }
  return { atMs: performance.now(), ticks };
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  return ticksPerSecond;
}

/**
 * Runs one measured round with the generator (this process) on its core and
 * the servers (every process this one started, found afresh so servers started
 * since are included) on theirs, and returns what it gave with both sides' CPU
 * use over its wall time. This process gets all its cores back after the
 * round: what it starts between rounds (a `pulumi up`, a server's start) is
 * not held to one core.
 */
export async function measureRound<T>(round: () => Promise<T>): Promise<{ result: T; cpu: RoundCpu }> {
  const { allowed, generatorCores, serverCores, pinned } = place();
  const servers = descendants(allStats(), process.pid);
  if (pinned) {
    for (const pid of servers) pin(pid, serverCores);
    pin(process.pid, generatorCores);
  }
  const [generatorBefore, serversBefore] = [sample([process.pid]), sample(servers)];
  let result: T;
  try {
    result = await round();
  } finally {
    if (pinned) pin(process.pid, allowed);
  }
  // Servers that forked during the round (a worker restarted) count from zero.
  const [generatorAfter, serversAfter] = [sample([process.pid]), sample(descendants(allStats(), process.pid))];
  return {
    result,
    cpu: {
      generatorPercent: cpuPercent(generatorBefore, generatorAfter, clockTicks()),
      serverPercent: cpuPercent(serversBefore, serversAfter, clockTicks()),
      serverCores: serverCores.length,
    },
  };
}
