#!/bin/sh
# The official image's first-start contract, written for this stand-in:
# started as root, it makes $PGDATA the `postgres` user's and re-runs itself as
# that user; with an empty $PGDATA it runs initdb with POSTGRES_USER and
# POSTGRES_PASSWORD, accepts password logins from any address, creates
# POSTGRES_DB, runs /docker-entrypoint-initdb.d/*.sql and *.sh on a server
# reachable only through its socket, and stops it. Then it execs the command.
# Each of POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and POSTGRES_INITDB_ARGS
# may come from a file instead, named by the variable with _FILE (a swarm
# secret's, under /run/secrets), as in the official image.
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi

log() { echo "postgres stand-in: $*"; }

# file_env VAR: VAR from the file $VAR_FILE names, when that is set; both set is a mistake.
file_env() {
  eval "value=\${$1:-} file=\${$1_FILE:-}"
  if [ -n "$value" ] && [ -n "$file" ]; then
    echo "postgres stand-in: both $1 and $1_FILE are set: set one of them" >&2
    exit 1
  fi
  if [ -n "$file" ]; then
    if ! value="$(cat "$file")"; then
      echo "postgres stand-in: $1_FILE names $file, which cannot be read" >&2
      exit 1
    fi
    export "$1=$value"
  fi
  unset "$1_FILE"
}

initialise() {
  for var in POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB POSTGRES_INITDB_ARGS; do file_env "$var"; done
  user="${POSTGRES_USER:-postgres}"
  database="${POSTGRES_DB:-$user}"
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "postgres stand-in: the database is uninitialised and POSTGRES_PASSWORD is not set: set it (or POSTGRES_HOST_AUTH_METHOD=trust to allow logins without one)" >&2
    exit 1
  fi
  log "initialising $PGDATA for user $user, database $database"
  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as in the official image
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" -D "$PGDATA" ${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pwfile"
  echo "host all all all $auth" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"

  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$database" != postgres ]; then
    # On stdin, where psql quotes the :"db" variable as an identifier (it does not in -c).
    echo 'CREATE DATABASE :"db";' | psql -v ON_ERROR_STOP=1 --username "$user" --no-password --dbname postgres --quiet --set db="$database"
  fi
  for file in $(find /docker-entrypoint-initdb.d -mindepth 1 -maxdepth 1 -type f | sort); do
    case "$file" in
      *.sql) log "running $file"; psql -v ON_ERROR_STOP=1 --username "$user" --no-password --dbname "$database" -f "$file" ;;
      *.sh) log "running $file"; sh "$file" ;;
      *) log "ignoring $file" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  log "initialised; starting"
}

if [ "$1" = postgres ]; then
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
  fi
  [ -s "$PGDATA/PG_VERSION" ] || initialise
fi

exec "$@"
