#!/bin/sh
# PostgreSQL as PID 1's child. The first start (an empty data volume) runs initdb with the
# password in POSTGRES_PASSWORD and makes TCP logins check it (scram-sha-256); later starts keep
# that first password whatever the environment says, as a real database does.
set -eu
PGDATA=/var/lib/postgresql/data
bin=$(echo /usr/lib/postgresql/*/bin)
mkdir -p "$PGDATA"
chown postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"
# A command, not a shell function: run in the background, a function would be a subshell that
# ignores SIGINT, and the shutdown signal below would not reach PostgreSQL.
set -- setpriv --reuid=postgres --regid=postgres --init-groups

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "db: POSTGRES_PASSWORD is required to initialise an empty data volume" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  "$@" "$bin/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >/dev/null
  rm -f "$pwfile"
  {
    echo "listen_addresses = '*'"
    echo "unix_socket_directories = '/tmp'"
    echo "fsync = off"
  } >>"$PGDATA/postgresql.conf"
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "CREATE TABLE records (id serial PRIMARY KEY, note text NOT NULL);" |
    "$@" "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
  echo "db: initialised $PGDATA" >&2
fi

"$@" "$bin/postgres" -D "$PGDATA" &
child=$!
trap 'kill -INT "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
wait "$child"
