import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The file both demo-2 containers share, in the directory the volume is mounted on. */
export function saveFilePath(dataDir = process.env.DATA_DIR || "/usr/src/data"): string {
  return join(dataDir, "save_file");
}

/**
 * Writes "first line" into a save file that does not exist yet. A file that
 * exists is left as it is: a volume outlives its containers, and keeping what
 * earlier containers wrote is what it is for.
 */
export function seedSaveFile(path: string): void {
  try {
    writeFileSync(path, "first line\n", { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

export function appendLine(path: string, text: string): void {
  appendFileSync(path, `${text}\n`);
}
