#!/bin/sh
# A stand-in database: every start appends one line to /data/records, so a named volume that
# survives a container re-create shows one more line instead of starting over.
if [ "${DB_PASSWORD+set}" = set ] && [ -z "$DB_PASSWORD" ]; then
  echo "db: DB_PASSWORD is set but empty; refusing to start without a password" >&2
  exit 1
fi
port="${PORT:-5432}"
case "$port" in
  '' | *[!0-9]*)
    echo "db: PORT must be a number, got '$port'" >&2
    exit 1
    ;;
esac
mkdir -p /data || exit 1
if ! echo "started $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>/data/records; then
  echo "db: cannot write /data/records" >&2
  exit 1
fi
echo "db: $(wc -l </data/records) start(s) recorded; serving /data on :$port" >&2
httpd -f -p "$port" -h /data &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
wait "$child"
