/**
 * `npm run up` (scripts/labs.sh) refuses a Node.js older than package.json's
 * engines before it installs or runs anything, and names the fix. A stand-in
 * `node` first on PATH reports the version the test chooses.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
let bin: string;

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), "labs-node-check-"));
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** scripts/labs.sh with a `node` that reports `version` (`--version`, and the major for `-p`), and does nothing else. */
function labsWithNode(version: string) {
  const major = version.split(".")[0];
  writeFileSync(join(bin, "node"), `#!/bin/sh\ncase "$1" in --version) echo v${version} ;; -p) echo ${major} ;; esac\n`);
  chmodSync(join(bin, "node"), 0o755);
  return spawnSync("bash", [join(ROOT, "scripts", "labs.sh"), "up"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
}

it("refuses Node 22 (older than engines' >=24), naming what it found and the fix", () => {
  const result = labsWithNode("22.21.1");
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("Node.js 24 or newer is needed (found v22.21.1)");
  expect(result.stderr).toContain('eval "$(scripts/node-runtime.sh env)"');
});

it("lets Node 24 through to the program", () => {
  // The stand-in node runs no program: ts-node (a node script) then exits at once, with no complaint about Node.
  const result = labsWithNode("24.22.3");
  expect(result.stderr).not.toContain("or newer is needed");
  expect(result.status).toBe(0);
});
