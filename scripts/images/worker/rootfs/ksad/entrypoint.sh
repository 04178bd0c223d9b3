#!/bin/sh
# sleep runs in the background and the shell waits on it, because a trapped signal only runs
# its handler between commands: a foreground sleep would delay a stop by up to INTERVAL.
interval="${INTERVAL:-5}"
case "$interval" in
  '' | *[!0-9]* | 0)
    echo "worker: INTERVAL must be a positive whole number of seconds, got '$interval'" >&2
    exit 1
    ;;
esac
mkdir -p /data || exit 1
sleeper=
trap 'echo "worker: stopping"; [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null; exit 0' TERM INT
n=0
while :; do
  n=$((n + 1))
  line="heartbeat $n $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "$line" >>/data/worker.log
  echo "$line"
  sleep "$interval" &
  sleeper=$!
  wait "$sleeper"
done
