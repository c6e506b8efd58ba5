#!/usr/bin/env bash
# Run once by cloud-init as root: installs Docker Engine from Docker's apt
# repository (as the course tutorial does), lets the login user run docker,
# and makes the directory that lab bind mounts live under.
set -euo pipefail

login_user="${1:?usage: install-docker <login user>}"
data_dir=/var/lib/container-labs
export DEBIAN_FRONTEND=noninteractive

apt-get update -q
apt-get install -y -q ca-certificates curl
install -m 0755 -d /etc/apt/keyrings
curl -fsSL https://download.docker.com/linux/ubuntu/gpg -o /etc/apt/keyrings/docker.asc
chmod a+r /etc/apt/keyrings/docker.asc
# shellcheck source=/dev/null
. /etc/os-release
echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu ${VERSION_CODENAME} stable" \
  > /etc/apt/sources.list.d/docker.list
apt-get update -q
apt-get install -y -q docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin

usermod -aG docker "$login_user"
# uid 1000 is both the login user on Ubuntu's images and the `node` user our images run as.
install -d -m 0755 -o 1000 -g 1000 "$data_dir"

systemctl daemon-reload
systemctl enable --now docker
