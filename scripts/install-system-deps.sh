#!/usr/bin/env bash
# Debian packages the tests run for real: redis-server, PostgreSQL and nginx
# as dependencies of the services, chromium for the page tests, shellcheck for
# the shell and cloud-init scripts; for the private Docker engine
# (scripts/test-engine.sh) Docker 20.10 and iptables, and for the stand-in
# images (scripts/standins/build.sh) debootstrap and docker-registry. Skips
# apt when everything is already there.
set -euo pipefail

packages=(redis-server postgresql nginx-light chromium shellcheck docker.io iptables debootstrap docker-registry curl)
commands=(redis-server pg_ctlcluster nginx chromium shellcheck dockerd iptables debootstrap docker-registry curl)

missing=()
for i in "${!commands[@]}"; do
  command -v "${commands[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
