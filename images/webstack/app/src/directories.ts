import { accessSync, constants, cpSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

/** Creates `dir` if needed and checks this process can write into it; the error names the variable. */
export function ensureWritableDir(variable: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const uid = process.getuid?.() ?? "?";
    throw new Error(`${variable}=${dir} is not a directory this process (uid ${uid}) can write: ${(err as Error).message}`);
  }
}

/**
 * Django's collectstatic in one line: copies the static files shipped with the
 * image into the volume nginx serves, so a new image's files reach nginx
 * without recreating the volume.
 */
export function collectStatic(bundledDir: string, staticDir: string): boolean {
  if (resolve(bundledDir) === resolve(staticDir)) return false;
  ensureWritableDir("STATIC_DIR", staticDir);
  cpSync(bundledDir, staticDir, { recursive: true, force: true });
  return true;
}
