#!/bin/sh
# `redis-server [config file] [--option value ...]`: the official image's
# server refuses no client (its build turns protected mode off, Docker's port
# publishing being the access control); Debian's keeps it on, so it is turned
# off here, before the caller's own options so that they still win. Started
# as root, the server runs as `redis`, owning /data, as in the official image.
set -eu

if [ "${1:-}" = redis-server ]; then
  shift
  if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then
    config="$1"
    shift
    set -- redis-server "$config" --protected-mode no "$@"
  else
    set -- redis-server --protected-mode no "$@"
  fi
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data 2>/dev/null || true
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi

exec "$@"
