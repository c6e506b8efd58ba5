#!/usr/bin/env bash
# The project's one test command (README, .ci/run): on a fresh Debian machine it
# installs what the tests need, starts the private Docker engine and builds the
# stand-in images (both cached), builds every workspace, type-checks, and runs
# every test. Extra arguments go to jest (e.g. a path to run one file).
# CONTAINER_LABS_KEEP_ENGINE=1 leaves the engine running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh
echo "--- private Docker engine and stand-in images (cached under ~/.cache/container-labs)"
scripts/test-engine.sh start
# Stopped afterwards; its data root keeps the images for the next run.
[ -n "${CONTAINER_LABS_KEEP_ENGINE:-}" ] || trap 'scripts/test-engine.sh stop' EXIT
scripts/standins/build.sh
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
