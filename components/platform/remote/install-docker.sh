#!/usr/bin/env bash
# Run once by cloud-init as root, after the data volume is mounted: installs
# Docker Engine, the instance-metadata firewall first, and lets the login user
# run docker. From Docker's apt repository (the default, as the course
# tutorial; its key trusted only by fingerprint), or from the distribution's
# docker.io where that repository is unreachable (the tests' stand-in machine).
set -euo pipefail

usage="usage: container-labs-install-docker <login user> [docker-repository|distribution]"
login_user="${1:?$usage}"
docker_source="${2:-docker-repository}"
# Docker's release signing key, as published in Docker's install guide.
docker_key_fingerprint="9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88"
export DEBIAN_FRONTEND=noninteractive

# Installs those of the packages that are missing.
install_missing() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
}

add_docker_repository() {
  install_missing ca-certificates curl gpg
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
}

case "$docker_source" in
  docker-repository)
    add_docker_repository
    docker_packages=(docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin)
    ;;
  distribution) docker_packages=(docker.io) ;;
  *)
    echo "container-labs-install-docker: unknown Docker source '$docker_source'; $usage" >&2
    exit 2
    ;;
esac

# docker.service requires the firewall (see docker-service-override.conf): in
# place before the package starts Docker for the first time.
systemctl daemon-reload
systemctl enable --now container-labs-imds-firewall.service

install_missing "${docker_packages[@]}"

usermod -aG docker "$login_user"
systemctl enable --now docker
