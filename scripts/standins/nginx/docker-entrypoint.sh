#!/bin/sh
# The official image's entrypoint contract: when the command is nginx, run
# each executable /docker-entrypoint.d/*.sh in version order (source the
# *.envsh ones, so they can export variables), then exec the command, so nginx
# is PID 1 and gets `docker stop`'s signal.
set -eu

log() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then echo "$0: $*"; fi
}

if [ "${1:-}" = nginx ] || [ "${1:-}" = nginx-debug ]; then
  for script in $(find /docker-entrypoint.d/ -mindepth 1 -maxdepth 1 -follow -type f | sort -V); do
    case "$script" in
      *.envsh)
        if [ -x "$script" ]; then
          log "sourcing $script"
          # shellcheck disable=SC1090 # the scripts are the image's extension point
          . "$script"
        else
          log "ignoring $script: not executable"
        fi
        ;;
      *.sh)
        if [ -x "$script" ]; then
          log "running $script"
          "$script"
        else
          log "ignoring $script: not executable"
        fi
        ;;
      *) log "ignoring $script" ;;
    esac
  done
  log "configuration complete; ready for start up"
fi

exec "$@"
