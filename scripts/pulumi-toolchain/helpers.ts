/**
 * What the recipes (recipes.sh) compute, one question a call:
 *
 *   helpers.ts sdk-version NPM_PACKAGE                   its version in package-lock.json
 *   helpers.ts nearest-served-version LOG MODULE WANTED  versions.ts's resolvedVersion
 *   helpers.ts download-module LOG MODULE@VERSION        its directory in the module cache
 *   helpers.ts lay-out-modules LOG DIR MODULE@VERSION=FOLDER...
 *
 * The answer on stdout; exit 1 when there is none, with the reason in LOG (or on stderr).
 */
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { GoModules } from "./goModules.ts";
import { toolchainLayout } from "./layout.ts";
import { resolvedVersion, sdkVersion } from "./versions.ts";

const REPO_ROOT = resolve(dirname(process.argv[1]), "..", "..");

async function answer([question, ...args]: string[]): Promise<string | undefined> {
  switch (question) {
    case "sdk-version": {
      const lock = `${REPO_ROOT}/package-lock.json`;
      const version = sdkVersion(readFileSync(lock, "utf8"), args[0]);
      if (version === undefined) throw new Error(`${args[0]} is not in ${lock}`);
      return version;
    }
    case "nearest-served-version": {
      const [log, module, wanted] = args;
      const version = await resolvedVersion(toolchainLayout(), new GoModules(log, process.env).proxy(), module, wanted);
      if (version === undefined) appendFileSync(log, `no version of ${module} at or above ${wanted} is served\n`);
      return version;
    }
    case "download-module":
      return new GoModules(args[0], process.env).download(args[1]);
    case "lay-out-modules": {
      const [log, dir, ...pairs] = args;
      const folders = pairs.map((pair) => ({ moduleAtVersion: pair.slice(0, pair.indexOf("=")), folder: pair.slice(pair.indexOf("=") + 1) }));
      await new GoModules(log, process.env).layOut(dir, folders);
      return "";
    }
    default:
      throw new Error(`unknown question ${JSON.stringify(question)}`);
  }
}

answer(process.argv.slice(2)).then(
  (result) => {
    if (result === undefined) process.exitCode = 1;
    else if (result !== "") console.log(result);
  },
  (err: Error) => {
    console.error(err.message);
    process.exitCode = 1;
  },
);
