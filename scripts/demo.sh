#!/usr/bin/env bash
# The main job end to end: Kabupaten Sumbawa's Diskominfotik sets up its Docker host and deploys
# the Antrean Daring (online queue) app granted by a pioneer city. The engine stays running
# afterwards so the app can be visited; stop it with `bash scripts/engine.sh stop`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'demo: %s\n' "$*" >&2; }
run() {
  printf '\n$ %s\n' "$*" >&2
  "$@"
}

# npm writes node_modules/.package-lock.json on every install: older than the lockfile means stale.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci >&2
fi
log "npm run build"
npm run build >&2

bash "$ROOT/scripts/engine.sh" start
eval "$(bash "$ROOT/scripts/engine.sh" env)"
export DOCKER_HOST KSAD_REGISTRY

# The web port: KSAD_DEMO_PORT when given, else the overlay's 18080 or, when something on this
# machine already listens there, the next free port after it (a busy machine is no reason to fail).
port_free() {
  node -e '
    const s = require("node:net").createServer();
    s.once("error", () => process.exit(1));
    s.listen({ host: "127.0.0.1", port: Number(process.argv[1]), exclusive: true }, () => s.close(() => process.exit(0)));
  ' "$1" 2>/dev/null
}
PORT="${KSAD_DEMO_PORT:-18080}"
if [[ -z "${KSAD_DEMO_PORT:-}" ]]; then
  while ! port_free "$PORT"; do
    PORT=$((PORT + 1))
    [[ $PORT -lt 18180 ]] || { log "ERROR: no free port in 18080-18179; set KSAD_DEMO_PORT"; exit 1; }
  done
  [[ $PORT -eq 18080 ]] || log "port 18080 is taken on this machine: the app gets ${PORT}"
fi

run node bin/run.js host init --region 52.04 --name "Diskominfotik Kabupaten Sumbawa"
run node bin/run.js deploy antrean-daring -f examples/sumbawa-antrean.yaml --set "config.HTTP_PORT=${PORT}"

# Where to reach it: every port the app's containers publish on the loopback address.
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
urls=$(node --input-type=module -e '
  import Docker from "dockerode";
  const host = process.env.DOCKER_HOST;
  const docker = host.startsWith("unix://") ? new Docker({ socketPath: host.slice(7) }) : new Docker();
  const list = await docker.listContainers({ filters: { label: ["id.ksad.app=antrean-daring"] } });
  for (const c of list) {
    const service = c.Labels["id.ksad.service"] ?? c.Names[0];
    for (const p of c.Ports) if (p.PublicPort && p.IP !== "::") console.log(`${service}: http://${p.IP === "0.0.0.0" ? "127.0.0.1" : p.IP}:${p.PublicPort}/`);
  }
')
echo
if [[ -n "$urls" ]]; then
  echo "Antrean Daring is running for Kabupaten Sumbawa (52.04):"
  echo "$urls" | sort -u | sed 's/^/  /'
else
  echo "Antrean Daring is deployed, but none of its containers publishes a port on this host."
fi
echo
echo "Engine: DOCKER_HOST=${DOCKER_HOST}  registry: ${KSAD_REGISTRY}"
echo "Use it from this shell with:  eval \"\$(bash scripts/engine.sh env)\""
echo "Stop it (and everything running in it) with:  bash scripts/engine.sh stop"
