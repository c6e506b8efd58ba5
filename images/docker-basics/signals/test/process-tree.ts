import { readFileSync } from "node:fs";

/** The pids of `pid`'s direct children, from Linux's /proc. */
export function childPids(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
  return children.split(" ").filter(Boolean).map(Number);
}

/** The command line of a live process, words joined by spaces. */
export function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
}

/** The pid `pid` has inside its own PID namespace (1 for a container's first process). */
export function pidInItsNamespace(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const nsPids = /^NSpid:\s+(.+)$/m.exec(status)?.[1].split(/\s+/) ?? [];
  return Number(nsPids[nsPids.length - 1]);
}
