#!/usr/bin/env bash
# The project's one test command (README, .ci/run): on a fresh Debian machine it
# installs what the tests need, builds every workspace, type-checks, and runs
# every test. Extra arguments go to jest (e.g. a path to run one file).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh
echo "--- npm ci"
npm ci --no-audit --no-fund
echo "--- build"
npm run build --silent
echo "--- typecheck"
npm run typecheck --silent
echo "--- jest"
status=0
npx jest --ci --json --outputFile=.ci-results.json "$@" || status=$?
[ -f .ci-results.json ] && node scripts/ci-summary.js .ci-results.json
exit "$status"
