#!/usr/bin/env bash
# Debian packages the tests run for real: redis-server, PostgreSQL and nginx
# as dependencies of the services, chromium for the page tests, shellcheck for
# the shell and cloud-init scripts; for the private Docker engine
# (scripts/test-engine.sh) Docker 20.10 and iptables, and for the stand-in
# images (scripts/standins/build.sh) debootstrap and docker-registry; Go and
# Python's venv to install the workflow linters (actionlint, zizmor) and to
# build the Pulumi toolchain; gpg and iproute2 for the EC2 host's scripts,
# fdisk (sfdisk) to partition the loop disks its data-volume script is tested
# on, netcat-openbsd (Debian's and Ubuntu's nc) to run the README's nc Try
# line, openssh-client and openssl to reach the stand-in machine as the
# program does, and apache2-utils (htpasswd -B, the bcrypt that distribution
# requires) for the stand-in registry's logins.
# Skips apt when everything is already there.
set -euo pipefail

packages=(redis-server postgresql nginx-light chromium shellcheck docker.io iptables debootstrap docker-registry curl golang-go gpg iproute2 fdisk netcat-openbsd openssh-client openssl apache2-utils)
commands=(redis-server pg_ctlcluster nginx chromium shellcheck dockerd iptables debootstrap docker-registry curl go gpg ip sfdisk nc ssh-keyscan openssl htpasswd)

missing=()
for i in "${!commands[@]}"; do
  command -v "${commands[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
done
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
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
