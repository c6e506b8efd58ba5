#!/usr/bin/env bash
# The readiness gate, run over SSH as the login user: waits for cloud-init to
# finish (exit 2 means "done with recoverable errors" since cloud-init 23.4,
# which still leaves a working host), checks that lab data lives on the data
# volume and that the instance-metadata firewall is up, then asks dockerd for
# its version.
set -uo pipefail

cloud-init status --wait >/dev/null
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "cloud-init failed (exit $status):" >&2
  cloud-init status --long >&2
  exit "$status"
fi
for data_dir in /var/lib/docker/volumes /var/lib/container-labs; do
  if ! findmnt --mountpoint "$data_dir" >/dev/null; then
    echo "$data_dir is not mounted from the data volume: see container-labs-mount-data in /var/log/cloud-init-output.log" >&2
    exit 1
  fi
done
if ! systemctl is-active --quiet container-labs-imds-firewall.service; then
  echo "the instance-metadata firewall is not active:" >&2
  systemctl status --no-pager container-labs-imds-firewall.service >&2
  exit 1
fi
sudo docker info --format 'docker {{.ServerVersion}} ready'
