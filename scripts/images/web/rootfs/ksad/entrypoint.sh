#!/bin/sh
# busybox httpd ignores SIGTERM as PID 1, so it runs as a child and this shell forwards the signal:
# a stop then takes milliseconds instead of the engine's whole grace period.
port="${PORT:-8080}"
case "$port" in
  '' | *[!0-9]*)
    echo "web: PORT must be a number, got '$port'" >&2
    exit 1
    ;;
esac
echo "web: serving on :$port" >&2
httpd -f -p "$port" -h /ksad/www &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
wait "$child"
