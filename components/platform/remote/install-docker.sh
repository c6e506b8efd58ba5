#!/usr/bin/env bash
# Run once by cloud-init as root, after the data volume is mounted (and by the
# ssh target's bootstrap): installs Docker Engine, the instance-metadata
# firewall first, and lets the login user run docker. From Docker's apt
# repository for the machine's distribution, Ubuntu's or Debian's (the
# default, as the course tutorial; its key trusted only by fingerprint), or
# from the distribution's docker.io where that repository is unreachable (the
# tests' stand-in machine).
set -euo pipefail

usage="usage: container-labs-install-docker <login user> [docker-repository|distribution]"
# Docker's release signing key, as published in Docker's install guide: the
# same key signs its Ubuntu and its Debian repository.
docker_key_fingerprint="9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88"
# What the installer reads and writes, named once so that a test can source
# this file (which then only defines functions) and point them elsewhere.
os_release=/etc/os-release
apt_keyrings=/etc/apt/keyrings
apt_sources=/etc/apt/sources.list.d
verify_key=/usr/local/sbin/container-labs-verify-key

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

# docker_repository <os-release file>: prints "<URL> <release codename>" of
# Docker's apt repository for that distribution, or refuses (exit 3) a
# distribution Docker's repository does not serve.
docker_repository() {
  local release id codename
  # shellcheck source=/dev/null
  release="$(. "$1" && printf '%s %s' "${ID:-}" "${VERSION_CODENAME:-}")"
  read -r id codename <<<"$release"
  case "$id" in
    ubuntu | debian) ;;
    *)
      echo "container-labs-install-docker: Docker's apt repository serves Ubuntu and Debian, not ID=${id:-(none)} ($1);" \
        "install the distribution's docker.io instead: on the ssh target, sshDockerSource: distribution" \
        "(npm run pulumi -- config set sshDockerSource distribution)" >&2
      return 3
      ;;
  esac
  if [ -z "$codename" ]; then
    echo "container-labs-install-docker: $1 names no VERSION_CODENAME, which Docker's $id repository is sorted by;" \
      "on the ssh target, sshDockerSource: distribution (npm run pulumi -- config set sshDockerSource distribution)" >&2
    return 3
  fi
  printf 'https://download.docker.com/linux/%s %s\n' "$id" "$codename"
}

# add_docker_repository <URL> <release codename>
add_docker_repository() {
  local url="$1" codename="$2"
  downloaded_key="$(mktemp)"
  trap 'rm -f "$downloaded_key"' EXIT
  curl -fsSL "$url/gpg" -o "$downloaded_key"
  "$verify_key" "$downloaded_key" "$docker_key_fingerprint"
  install -m 0755 -d "$apt_keyrings"
  install -m 0644 "$downloaded_key" "$apt_keyrings/docker.asc"
  echo "deb [arch=$(dpkg --print-architecture) signed-by=$apt_keyrings/docker.asc] $url $codename stable" \
    > "$apt_sources/docker.list"
}

main() {
  local login_user="${1:?$usage}" docker_source="${2:-docker-repository}" repository="" docker_packages
  export DEBIAN_FRONTEND=noninteractive
  case "$docker_source" in
    docker-repository)
      # Before anything changes: refused on a distribution it does not serve.
      repository="$(docker_repository "$os_release")"
      docker_packages=(docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin)
      ;;
    distribution) docker_packages=(docker.io) ;;
    *)
      echo "container-labs-install-docker: unknown Docker source '$docker_source'; $usage" >&2
      exit 2
      ;;
  esac

  # iptables for the metadata firewall, which starts before Docker's packages
  # (that would bring it) are installed; and what adding Docker's repository needs.
  if [ -n "$repository" ]; then
    install_missing iptables ca-certificates curl gpg
    # shellcheck disable=SC2086 # "<URL> <codename>": two words
    add_docker_repository $repository
  else
    install_missing iptables
  fi

  # docker.service requires the firewall (see docker-service-override.conf): in
  # place before the package starts Docker for the first time.
  systemctl daemon-reload
  systemctl enable --now container-labs-imds-firewall.service

  install_missing "${docker_packages[@]}"

  usermod -aG docker "$login_user"
  systemctl enable --now docker
}

# Run, not sourced: install.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
