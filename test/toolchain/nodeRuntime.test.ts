/**
 * The test command (scripts/test.sh) runs everything on the exact Node.js of
 * .node-version, which scripts/node-runtime.sh installs from the npm registry
 * and puts first on PATH: jest itself, and every `node` a child process finds
 * there (npm, the program under ts-node, Pulumi's language host and the
 * dynamic-provider plugin look it up on PATH).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_NODE_VERSION } from "../support/nodeVersion";

const FIX = 'run the tests through scripts/test.sh, or `eval "$(scripts/node-runtime.sh env)"` first';

it("pins an exact Node 24 in .node-version, which package.json's engines accepts", () => {
  expect(PROJECT_NODE_VERSION).toMatch(/^24\.\d+\.\d+$/);
  const engines = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).engines as { node: string };
  expect(engines.node).toBe(">=24");
});

it("runs jest on the Node of .node-version", () => {
  expect({ jestRunsOn: process.version, fix: FIX }).toEqual({ jestRunsOn: `v${PROJECT_NODE_VERSION}`, fix: FIX });
});

it("has that Node first on PATH, where child processes look it up", () => {
  expect({ nodeOnPath: execFileSync("node", ["--version"], { encoding: "utf8" }).trim(), fix: FIX }).toEqual({ nodeOnPath: `v${PROJECT_NODE_VERSION}`, fix: FIX });
});
