#!/usr/bin/env bash
# The tests' private Docker engine: Debian's dockerd (docker.io 20.10) with its
# own socket, data root, exec root, pidfile, config file, containerd namespaces
# and default bridge, all under the engine directory of the project's cache, so
# it never touches an engine the machine already runs.
#
#   scripts/test-engine.sh start    reuse a healthy engine, or start one and wait for it
#   scripts/test-engine.sh stop     stop it by its pidfile
#   scripts/test-engine.sh status   "healthy", "starting" or "stopped" (exit 0 only when healthy)
#   scripts/test-engine.sh env      print `export DOCKER_HOST=unix://...`
#
# Its network, and why not Docker's own iptables rules: a dockerd with
# --iptables removes and recreates the DOCKER chains at start, which would wipe
# the rules of an engine already running here (and that engine would wipe ours
# when it restarts). So this engine runs with --iptables=false on a bridge of
# its own (ENGINE_BRIDGE, ENGINE_BRIDGE_CIDR) and adds only rules of its own, in
# chains named CONTAINER-LABS-<engine id>: NAT and forwarding for its default
# bridge, where builds' RUN steps reach npm and Debian; and forwarding between
# containers of one bridge (veth to veth), which the host's FORWARD policy
# drops when br_netfilter is loaded. Published ports go through docker-proxy.
set -euo pipefail

CACHE="${CONTAINER_LABS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/container-labs}"
ENGINE_DIR="$CACHE/engine"
SOCKET="$ENGINE_DIR/docker.sock"
PIDFILE="$ENGINE_DIR/dockerd.pid"
LOG="$ENGINE_DIR/dockerd.log"
# What is named per engine (bridge, firewall chain, exec root) carries a
# hash of its directory, so engines of two caches never share anything.
ENGINE_ID="$(printf '%s' "$ENGINE_DIR" | sha256sum | cut -c1-8)"
BRIDGE="${ENGINE_BRIDGE:-cle-$ENGINE_ID}"
BRIDGE_CIDR="${ENGINE_BRIDGE_CIDR:-10.250.$((16#${ENGINE_ID:0:2})).1/24}"
START_TIMEOUT="${ENGINE_START_TIMEOUT:-90}"
CHAIN="CONTAINER-LABS-$ENGINE_ID"
DOCKER=/usr/bin/docker # the 20.10 client of docker.io (a newer client may sit earlier on PATH)
DOCKERD=/usr/sbin/dockerd

# Containerd's and libnetwork's sockets live under the exec root, and a unix
# socket path is at most 108 bytes: the exec root (runtime state only, like
# /var/run/docker) is a short directory in /tmp rather than one in the cache.
EXEC_ROOT="/tmp/cl-engine-$ENGINE_ID"

say() { echo "test-engine: $*" >&2; }

answers() {
  [ -S "$SOCKET" ] && timeout 10 "$DOCKER" -H "unix://$SOCKET" info --format '{{.ID}}' >/dev/null 2>&1
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  echo "$pid"
}

network_of() { # 10.250.250.1/24 -> 10.250.250.0/24
  local address="${1%/*}" bits="${1#*/}" a b c d
  IFS=. read -r a b c d <<<"$address"
  local value=$(((a << 24) | (b << 16) | (c << 8) | d)) mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
  value=$((value & mask))
  echo "$((value >> 24 & 255)).$((value >> 16 & 255)).$((value >> 8 & 255)).$((value & 255))/$bits"
}

setup_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    local network
    network="$(network_of "$BRIDGE_CIDR")"
    if [ -n "$(ip -4 route show "$network")" ]; then
      say "the engine's bridge network $network is already routed on this machine ($(ip -4 route show "$network")); choose another with ENGINE_BRIDGE_CIDR"
      return 1
    fi
    ip link add name "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

# Appends `rule` to `chain` of `table` unless it is there already.
ensure_rule() {
  local table="$1" chain="$2"
  shift 2
  iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null || iptables -w -t "$table" -A "$chain" "$@"
}

setup_firewall() {
  local network
  network="$(network_of "$BRIDGE_CIDR")"
  for table in filter nat; do
    iptables -w -t "$table" -N "$CHAIN" 2>/dev/null || iptables -w -t "$table" -F "$CHAIN"
  done
  ensure_rule nat POSTROUTING -j "$CHAIN"
  iptables -w -t nat -A "$CHAIN" -s "$network" ! -o "$BRIDGE" -j MASQUERADE
  # Appended after any rules of another engine, so its own decisions (isolation, icc=false) come first.
  ensure_rule filter FORWARD -j "$CHAIN"
  iptables -w -A "$CHAIN" -i "$BRIDGE" -j ACCEPT
  iptables -w -A "$CHAIN" -o "$BRIDGE" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  if [ -d /proc/sys/net/bridge ]; then
    iptables -w -A "$CHAIN" -m physdev --physdev-is-bridged --physdev-in 'veth+' --physdev-out 'veth+' -j ACCEPT
  fi
}

teardown_network() {
  iptables -w -t nat -D POSTROUTING -j "$CHAIN" 2>/dev/null || true
  iptables -w -D FORWARD -j "$CHAIN" 2>/dev/null || true
  for table in filter nat; do
    iptables -w -t "$table" -F "$CHAIN" 2>/dev/null || true
    iptables -w -t "$table" -X "$CHAIN" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
}

start() {
  if answers; then
    say "reusing the engine at $SOCKET"
    return 0
  fi
  mkdir -p "$ENGINE_DIR/data"
  exec 9>"$ENGINE_DIR/lock"
  flock 9 # one start at a time: a second caller waits, then finds the engine answering
  if answers; then
    say "reusing the engine at $SOCKET"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "dockerd must run as root (its bridge and mounts need it): run this as root"
    return 1
  fi
  local pid
  if ! pid="$(running_pid)"; then
    mkdir -p "$EXEC_ROOT" && chmod 700 "$EXEC_ROOT"
    [ -f "$ENGINE_DIR/daemon.json" ] || echo '{}' >"$ENGINE_DIR/daemon.json"
    setup_bridge
    setup_firewall
    rm -f "$PIDFILE" "$SOCKET"
    say "starting dockerd (log: $LOG)"
    setsid "$DOCKERD" \
      --host "unix://$SOCKET" \
      --data-root "$ENGINE_DIR/data" \
      --exec-root "$EXEC_ROOT" \
      --pidfile "$PIDFILE" \
      --config-file "$ENGINE_DIR/daemon.json" \
      --containerd-namespace container-labs \
      --containerd-plugins-namespace container-labs-plugins \
      --bridge "$BRIDGE" \
      --iptables=false \
      --storage-driver overlay2 \
      >>"$LOG" 2>&1 </dev/null 9>&- &
  else
    say "dockerd $pid is running but not answering yet: waiting for it"
  fi
  local waited=0
  until answers; do
    if [ "$waited" -ge "$START_TIMEOUT" ]; then
      say "dockerd did not answer on $SOCKET within ${START_TIMEOUT}s; the end of $LOG:"
      tail -n 30 "$LOG" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "engine ready at $SOCKET after ${waited}s"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    say "stopping dockerd $pid"
    kill -TERM "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge 60 ]; then
        say "dockerd $pid did not stop within 60s; the end of $LOG:"
        tail -n 30 "$LOG" >&2
        return 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
  else
    say "no engine running"
  fi
  rm -f "$PIDFILE"
  teardown_network
}

status() {
  if answers; then
    echo "healthy: unix://$SOCKET"
  elif running_pid >/dev/null; then
    echo "starting: dockerd $(running_pid) is not answering on $SOCKET yet"
    return 1
  else
    echo "stopped"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export DOCKER_HOST=unix://$SOCKET" ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
