#!/usr/bin/env bash
# The tests' private Docker engine: Debian's dockerd (docker.io 20.10) with its
# own socket, data root, bridge and firewall chains under the project's cache
# (packages/test-kit/src/privateEngine.ts says what and why).
#
#   scripts/test-engine.sh start    reuse a healthy engine, or start one and wait for it
#   scripts/test-engine.sh stop     stop it by its pidfile
#   scripts/test-engine.sh status   "healthy", "starting" or "stopped" (exit 0 only when healthy)
#   scripts/test-engine.sh env      print `export DOCKER_HOST=unix://...`
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/node-runtime.sh" run packages/test-kit/bin/test-engine.ts "$@"
