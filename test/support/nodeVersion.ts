/** The Node.js the project runs on, as .node-version pins it (scripts/node-runtime.sh installs it). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const PROJECT_NODE_VERSION = readFileSync(join(__dirname, "..", "..", ".node-version"), "utf8").trim();
