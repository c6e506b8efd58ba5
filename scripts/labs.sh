#!/usr/bin/env bash
# `npm run up` / `npm run down`: the one command a newcomer runs (README, quick
# start). This part needs nothing but Node and npm: it checks Node's version
# and installs the project's dependencies when they are missing or older than
# the lockfile, then hands over to scripts/labs/main.ts.
set -euo pipefail
cd "$(dirname "$0")/.."

# The oldest Node.js major package.json's engines accepts (">=24"), and this one's.
required_major=$(sed -n 's/^ *"node": ">=\([0-9]*\)".*/\1/p' package.json)
[ -n "$required_major" ] || { echo "container-labs: package.json's engines.node is not of the form \">=N\"" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt "$required_major" ]; then
  echo "container-labs: Node.js $required_major or newer is needed (found $(node --version 2>/dev/null || echo none)): install it from https://nodejs.org or with your package manager, or put the one the tests use first on PATH: eval \"\$(scripts/node-runtime.sh env)\"" >&2
  exit 1
fi

# npm ci records what it installed in node_modules/.package-lock.json; a newer lockfile means a stale install.
# Its lines go to stderr: stdout is the command's own (`npm run -s notification | curl -d @-`).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "container-labs: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi

exec node_modules/.bin/ts-node --transpile-only --project tsconfig.json scripts/labs/main.ts "$@"
