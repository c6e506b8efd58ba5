import { randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * An upload is written under a hidden temporary name before it gets its
 * final one. The name carries the pid of the worker writing it, so the
 * primary can remove what a worker that died mid-upload left behind (and, at
 * start, whatever a previous run left).
 */
const TEMPORARY_PREFIX = ".upload-";

export function temporaryName(pid = process.pid): string {
  return `${TEMPORARY_PREFIX}${pid}-${randomBytes(8).toString("hex")}`;
}

/** Removes the temporary files of worker `pid` from `dir`, or every one when no pid is given; returns their names. */
export function removeTemporaryFiles(dir: string, pid?: number): string[] {
  const prefix = pid === undefined ? TEMPORARY_PREFIX : `${TEMPORARY_PREFIX}${pid}-`;
  const leftovers = readdirSync(dir).filter((name) => name.startsWith(prefix));
  for (const name of leftovers) rmSync(join(dir, name), { force: true });
  return leftovers;
}
