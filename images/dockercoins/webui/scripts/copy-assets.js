// Build step: the page's own files go into dist/, beside the compiled server that serves them.
const { cpSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
cpSync(join(root, "static"), join(root, "dist", "static"), { recursive: true });
