/**
 * A container's memory as the engine's own cgroup accounts it, read from the
 * cgroup files of the container's init process on this machine (the private
 * engine runs here). The figure is the one `docker stats` prints and Docker
 * Desktop's dashboard shows: the cgroup's usage minus its inactive file cache
 * (docker/cli's calculateMemUsageUnixNoCache: `total_inactive_file` on cgroup
 * v1, `inactive_file` on v2). It is what a Docker Desktop VM's memory must
 * hold for the container: anonymous memory (heaps, stacks) plus the file
 * pages in active use, each page charged to one cgroup only, so figures of
 * containers add up without counting the shared Node binary twice (a
 * process's RSS counts it in every process). Inactive file cache is left out
 * because the kernel takes it back before the limit's OOM killer acts.
 *
 * Why not `docker stats` itself: on the tests' engine (dockerd 20.10, cgroup
 * v1, this kernel) it prints 0B for every container, while the cgroup files
 * it would read hold the figures.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const CGROUP_ROOT = "/sys/fs/cgroup";

export interface MemoryCgroup {
  version: 1 | 2;
  /** The cgroup's directory under /sys/fs/cgroup. */
  dir: string;
}

/**
 * Where a process's memory cgroup is, from its /proc/<pid>/cgroup: the v1
 * hierarchy that holds the memory controller when there is one, else the
 * unified (v2) hierarchy's line "0::<path>".
 */
export function memoryCgroupOf(procCgroup: string, root = CGROUP_ROOT): MemoryCgroup {
  const lines = procCgroup.split("\n").filter(Boolean).map((line) => {
    const [, , controllers, path] = /^(\d+):([^:]*):(.*)$/.exec(line) ?? [];
    return { controllers: (controllers ?? "").split(","), path };
  });
  const v1 = lines.find((line) => line.controllers.includes("memory"));
  if (v1?.path !== undefined) return { version: 1, dir: join(root, "memory", v1.path) };
  const v2 = lines.find((line) => line.controllers.length === 1 && line.controllers[0] === "");
  if (v2?.path !== undefined) return { version: 2, dir: join(root, v2.path) };
  throw new Error(`no memory cgroup in ${JSON.stringify(procCgroup.slice(0, 200))}`);
}

/** memory.stat ("key value" per line) as numbers. */
export function parseMemoryStat(text: string): Map<string, number> {
  const stat = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) stat.set(key, Number(value));
  }
  return stat;
}

/** Usage minus inactive file cache: the figure `docker stats` computes (see the file's comment). */
export function workingSetBytes(version: 1 | 2, usageBytes: number, stat: Map<string, number>): number {
  const inactiveFile = stat.get(version === 1 ? "total_inactive_file" : "inactive_file") ?? 0;
  return Math.max(0, usageBytes - inactiveFile);
}

export interface ContainerMemory {
  workingSetBytes: number;
  /** The highest usage so far, page cache included: an upper bound of what the limit had to hold. Undefined where the kernel keeps none (cgroup v2 before Linux 5.19). */
  peakBytes?: number;
  /** The cgroup's limit; undefined when there is none. */
  limitBytes?: number;
}

const readNumber = (file: string): number | undefined => {
  try {
    const text = readFileSync(file, "utf8").trim();
    return /^\d+$/.test(text) ? Number(text) : undefined; // v2 writes "max" for no limit
  } catch {
    return undefined;
  }
};

/** No limit on cgroup v1 reads as a huge number (PAGE_COUNTER_MAX pages). */
const NO_LIMIT_V1 = 2 ** 60;

/** The memory of the cgroup the process `pid` (a container's init, from `docker inspect`) runs in. */
export function readContainerMemory(pid: number): ContainerMemory {
  const { version, dir } = memoryCgroupOf(readFileSync(`/proc/${pid}/cgroup`, "utf8"));
  const files = version === 1
    ? { usage: "memory.usage_in_bytes", peak: "memory.max_usage_in_bytes", limit: "memory.limit_in_bytes" }
    : { usage: "memory.current", peak: "memory.peak", limit: "memory.max" };
  const usage = readNumber(join(dir, files.usage));
  if (usage === undefined) throw new Error(`cannot read ${join(dir, files.usage)}`);
  const limit = readNumber(join(dir, files.limit));
  return {
    workingSetBytes: workingSetBytes(version, usage, parseMemoryStat(readFileSync(join(dir, "memory.stat"), "utf8"))),
    peakBytes: readNumber(join(dir, files.peak)),
    limitBytes: limit !== undefined && limit < NO_LIMIT_V1 ? limit : undefined,
  };
}
