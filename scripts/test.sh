#!/usr/bin/env bash
# The project's one test command (README, .ci/run): on a fresh Debian machine it
# installs what the tests need and the exact Node.js of .node-version (from the
# npm registry, scripts/node-runtime.sh), on which everything below runs; starts
# the private Docker engine, builds the stand-in images and the Pulumi toolchain
# (all cached), builds every workspace, type-checks, runs the unit project
# (mocks, processes, images), then the deploy project: the ci stack deployed
# for real with `npm run up`, every lab checked on it, its life cycle, and
# `npm run down`.
# Extra arguments go to one jest run of both projects (e.g. a path to run one file).
# CONTAINER_LABS_KEEP_ENGINE=1 leaves the engine running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's time, printed at the end: what a cold and a warm run cost, step by step.
steps=()
step_name=""
step_started=$SECONDS
step() {
  [ -z "$step_name" ] || steps+=("$(printf '%5d s  %s' "$((SECONDS - step_started))" "$step_name")")
  step_name="$1"
  step_started=$SECONDS
  [ -z "$step_name" ] || echo "--- $step_name"
}
report_times() {
  step ""
  echo "--- time, step by step"
  printf '%s\n' "${steps[@]}"
  printf '%5d s  in all\n' "$SECONDS"
}

step "Debian packages"
scripts/install-system-deps.sh
step "Node.js $(cat .node-version) from the npm registry (cached under ~/.cache/container-labs/node)"
# First on PATH: npm ci, the program (ts-node), Pulumi's language host and jest run on it.
eval "$(scripts/node-runtime.sh env)"
step "private Docker engine (its data root cached under ~/.cache/container-labs)"
scripts/test-engine.sh start
# Every step below, the stand-ins' build too, talks to that engine, whatever DOCKER_HOST the caller had.
eval "$(scripts/test-engine.sh env)"
# Stopped afterwards; its data root keeps the images for the next run.
[ -n "${CONTAINER_LABS_KEEP_ENGINE:-}" ] || trap 'scripts/test-engine.sh stop' EXIT
step "stand-in images (cached under ~/.cache/container-labs)"
scripts/standins/build.sh
step "Pulumi toolchain from the Go module proxy (cached under ~/.cache/container-labs/pulumi-toolchain)"
scripts/pulumi-toolchain.sh build
step "npm ci"
npm ci --no-audit --no-fund
step "build"
npm run build --silent
step "typecheck"
npm run typecheck --silent
status=0
rm -f .ci-results*.json
if [ "$#" -gt 0 ]; then
  step "jest $*"
  npx jest --ci --json --outputFile=.ci-results-run.json "$@" || status=$?
  report_times
  node scripts/ci-summary.js .ci-results.json .ci-results-run.json
  exit "$status"
fi
step "jest: unit (the program under mocks, services as processes, images on the engine)"
npx jest --ci --selectProjects unit --json --outputFile=.ci-results-unit.json || status=$?
# One at a time: the labs' speed and the stop timings are measured on the deployed stack.
step "jest: deploy (the ci stack deployed for real, every lab checked on it, its life cycle; the ci-ssh stack on the stand-in machine; the ci-swarm stack on three)"
npx jest --ci --selectProjects deploy --runInBand --json --outputFile=.ci-results-deploy.json || status=$?
report_times
node scripts/ci-summary.js .ci-results.json .ci-results-unit.json .ci-results-deploy.json
exit "$status"
