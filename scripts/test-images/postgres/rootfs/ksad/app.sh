#!/bin/sh
# The app: busybox httpd answering /cgi-bin/rows from the database, logged in with DB_PASSWORD.
# The shell forwards SIGTERM, which httpd as PID 1 would ignore.
set -eu
/ksad/busybox httpd -f -p "${PORT:-8080}" -h /ksad/www &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
wait "$child"
