#!/usr/bin/env bash
# Run once by cloud-init as root, after the data volume is mounted: installs
# Docker Engine from Docker's apt repository (as the course tutorial does),
# trusting the repository's key only once its fingerprint is Docker's, puts
# the instance-metadata firewall in place first, and lets the login user run
# docker.
set -euo pipefail

login_user="${1:?usage: container-labs-install-docker <login user>}"
# Docker's release signing key, as published in Docker's install guide.
docker_key_fingerprint="9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88"
export DEBIAN_FRONTEND=noninteractive

apt-get update -q
apt-get install -y -q ca-certificates curl gpg
downloaded_key="$(mktemp)"
trap 'rm -f "$downloaded_key"' EXIT
curl -fsSL https://download.docker.com/linux/ubuntu/gpg -o "$downloaded_key"
/usr/local/sbin/container-labs-verify-key "$downloaded_key" "$docker_key_fingerprint"
install -m 0755 -d /etc/apt/keyrings
install -m 0644 "$downloaded_key" /etc/apt/keyrings/docker.asc
# shellcheck source=/dev/null
. /etc/os-release
echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu ${VERSION_CODENAME} stable" \
  > /etc/apt/sources.list.d/docker.list

# docker.service requires the firewall (see docker-service-override.conf): in
# place before the package starts Docker for the first time.
systemctl daemon-reload
systemctl enable --now container-labs-imds-firewall.service

apt-get update -q
apt-get install -y -q docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin

usermod -aG docker "$login_user"
systemctl enable --now docker
