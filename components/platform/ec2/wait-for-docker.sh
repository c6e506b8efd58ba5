#!/usr/bin/env bash
# The readiness gate, run over SSH as the login user: waits for cloud-init to
# finish (exit 2 means "done with recoverable errors" since cloud-init 23.4,
# which still leaves a working host), then asks dockerd for its version.
set -uo pipefail

cloud-init status --wait >/dev/null
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "cloud-init failed (exit $status):" >&2
  cloud-init status --long >&2
  exit "$status"
fi
sudo docker info --format 'docker {{.ServerVersion}} ready'
