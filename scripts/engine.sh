#!/usr/bin/env bash
# A Docker engine and a loopback registry for ksad's tests and demo, on a bare Debian machine.
#
#   bash scripts/engine.sh start    install what is missing, start (or reuse) engine + registry,
#                                   push the sample images; idempotent
#   bash scripts/engine.sh stop     stop what `start` started (never an engine it only reused)
#   bash scripts/engine.sh status   what runs, and who started it
#   eval "$(bash scripts/engine.sh env)"   DOCKER_HOST, KSAD_REGISTRY, KSAD_SAMPLE_IMAGES
#
#   (env also exports KSAD_INGRESS_IMAGE, the host ingress image built by scripts/ingress-image.js)
# Environment: KSAD_ENGINE_DIR (state, default /tmp/ksad-engine), KSAD_REGISTRY_PORT (5151),
# DOCKER_HOST (an engine to reuse when it answers), KSAD_DOCKERD_ARGS (extra dockerd flags),
# KSAD_ENGINE_SESSION_FILE (start appends what it started; stop then stops only those),
# KSAD_ALLOW_DIGEST_DRIFT=1 (push sample images even if their digests differ from the pins),
# KSAD_SWARM=0|1 (by default start makes an engine it started a single-node swarm, which the
# Swarm target's tests need; 1 does it to a reused engine too, 0 never; stop leaves it a swarm).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${KSAD_ENGINE_DIR:-/tmp/ksad-engine}"
PORT="${KSAD_REGISTRY_PORT:-5151}"
REGISTRY="127.0.0.1:${PORT}"
SOCK="${DIR}/docker.sock"
SESSION_FILE="${KSAD_ENGINE_SESSION_FILE:-}"
PACKAGES=(docker.io busybox-static docker-registry docker-compose)

log() { printf 'engine: %s\n' "$*" >&2; }
die() {
  printf 'engine: ERROR: %s\n' "$*" >&2
  exit 1
}

# Node is the one tool every ksad machine has, so it does the HTTP probes (curl may be absent).
ping_docker() {
  node -e '
    const http = require("node:http");
    const host = process.argv[1];
    const opts = { path: "/_ping", timeout: 2000 };
    if (host.startsWith("unix://")) opts.socketPath = host.slice(7);
    else if (host.startsWith("tcp://") || host.startsWith("http://")) {
      const u = new URL(host.replace(/^tcp:/, "http:"));
      opts.host = u.hostname; opts.port = u.port || 2375;
    } else process.exit(2);
    const req = http.get(opts, (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on("timeout", () => req.destroy());
    req.on("error", () => process.exit(1));
  ' "$1" 2>/dev/null
}

ping_registry() {
  node -e '
    const http = require("node:http");
    const req = http.get("http://" + process.argv[1] + "/v2/", { timeout: 2000 }, (res) =>
      process.exit(res.statusCode === 200 || res.statusCode === 401 ? 0 : 1));
    req.on("timeout", () => req.destroy());
    req.on("error", () => process.exit(1));
  ' "$1" 2>/dev/null
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

recorded_host() { [[ -f "${DIR}/docker-host" ]] && cat "${DIR}/docker-host"; }

note_started() {
  [[ -n "$SESSION_FILE" ]] && echo "$1" >>"$SESSION_FILE"
  return 0
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (or install ${PACKAGES[*]} yourself)"; fi
}

ensure_packages() {
  local missing=() pkg
  if ! command -v dpkg-query >/dev/null; then
    # Not Debian: nothing to install with, so insist on the programs themselves.
    for pkg in dockerd docker-registry; do
      command -v "$pkg" >/dev/null || missing+=("$pkg")
    done
    [[ -x /bin/busybox ]] || missing+=(/bin/busybox)
    [[ ${#missing[@]} -eq 0 ]] || die "missing ${missing[*]}: install Docker Engine, the CNCF registry and a static busybox"
    return 0
  fi
  for pkg in "${PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]} (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
    die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed"
}

drop_network_setup() {
  if [[ -f "${DIR}/forward-rule" ]]; then
    local pool
    pool=$(cat "${DIR}/forward-rule")
    iptables -D FORWARD -s "$pool" -d "$pool" -j ACCEPT 2>/dev/null || true
    rm -f "${DIR}/forward-rule"
  fi
  if [[ -f "${DIR}/bridge" ]]; then
    ip link del "$(cat "${DIR}/bridge")" 2>/dev/null || true
    rm -f "${DIR}/bridge"
  fi
}

start_dockerd() {
  [[ $(id -u) -eq 0 ]] || die "starting a private dockerd needs root; set DOCKER_HOST to a running engine instead"
  mkdir -p "${DIR}/root" "${DIR}/exec"
  local args=(--data-root "${DIR}/root" --exec-root "${DIR}/exec" -H "unix://${SOCK}"
    --pidfile "${DIR}/docker.pid")
  # Another engine on this machine already owns docker0 and the DOCKER iptables chains. A
  # second dockerd must not touch them: with the default bridge it would share docker0 (and its
  # addresses), with --bridge=none it deletes docker0, and with iptables on it rebuilds the chains.
  # So it gets a bridge, an address pool and one FORWARD rule of its own, all removed by stop.
  if [[ -e /sys/class/net/docker0 ]]; then
    command -v ip >/dev/null || die "another engine owns docker0 and iproute2 is missing to make a separate bridge"
    local net="10.$((100 + PORT % 100))" bridge="ksad${PORT}"
    if [[ ! -e "/sys/class/net/${bridge}" ]]; then
      ip link add name "$bridge" type bridge
      ip addr add "${net}.255.1/24" dev "$bridge"
      ip link set "$bridge" up
      echo "$bridge" >"${DIR}/bridge"
    fi
    log "docker0 belongs to another engine: using bridge ${bridge}, pool ${net}.0.0/17, --iptables=false"
    args+=(--bridge="$bridge" --iptables=false --default-address-pool "base=${net}.0.0/17,size=24")
    # FORWARD drops by default and bridged traffic passes through it (br_netfilter).
    if command -v iptables >/dev/null && ! iptables -C FORWARD -s "${net}.0.0/16" -d "${net}.0.0/16" -j ACCEPT 2>/dev/null; then
      iptables -I FORWARD -s "${net}.0.0/16" -d "${net}.0.0/16" -j ACCEPT
      echo "${net}.0.0/16" >"${DIR}/forward-rule"
    fi
  fi
  # shellcheck disable=SC2206 # word splitting of the extra flags is the point
  [[ -n "${KSAD_DOCKERD_ARGS:-}" ]] && args+=(${KSAD_DOCKERD_ARGS})
  rm -f "$SOCK"
  log "starting dockerd (state in ${DIR}, log ${DIR}/dockerd.log)"
  setsid dockerd "${args[@]}" >>"${DIR}/dockerd.log" 2>&1 </dev/null &
  local launcher=$! i
  for ((i = 0; i < 60; i++)); do
    if ping_docker "unix://${SOCK}"; then
      echo "unix://${SOCK}" >"${DIR}/docker-host"
      note_started dockerd
      log "dockerd ready at unix://${SOCK} (pid $(cat "${DIR}/docker.pid"))"
      return 0
    fi
    if ! kill -0 "$launcher" 2>/dev/null; then break; fi
    sleep 0.5
  done
  printf 'engine: ERROR: dockerd did not answer on unix://%s within 30 s. Last log lines:\n' "$SOCK" >&2
  tail -n 30 "${DIR}/dockerd.log" >&2 || true
  kill "$launcher" 2>/dev/null || true
  drop_network_setup
  exit 1
}

ensure_engine() {
  if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != "unix://${SOCK}" ]]; then
    if ping_docker "$DOCKER_HOST"; then
      log "using the engine at DOCKER_HOST=${DOCKER_HOST} (stop will leave it running)"
      echo "$DOCKER_HOST" >"${DIR}/docker-host"
      return 0
    fi
    log "DOCKER_HOST=${DOCKER_HOST} does not answer /_ping; starting a private engine instead"
  fi
  if pid_alive "${DIR}/docker.pid" && ping_docker "unix://${SOCK}"; then
    log "dockerd already running at unix://${SOCK}"
    echo "unix://${SOCK}" >"${DIR}/docker-host"
    return 0
  fi
  if pid_alive "${DIR}/docker.pid"; then
    die "dockerd (pid $(cat "${DIR}/docker.pid")) runs but does not answer on ${SOCK}; see ${DIR}/dockerd.log or run stop"
  fi
  start_dockerd
}

ensure_registry() {
  if ping_registry "$REGISTRY"; then
    log "registry already answers on ${REGISTRY}"
    return 0
  fi
  if pid_alive "${DIR}/registry.pid"; then
    die "registry (pid $(cat "${DIR}/registry.pid")) runs but does not answer on ${REGISTRY}; see ${DIR}/registry.log"
  fi
  mkdir -p "${DIR}/registry"
  cat >"${DIR}/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${DIR}/registry
  delete:
    enabled: true
http:
  addr: ${REGISTRY}
EOF
  log "starting registry on ${REGISTRY} (storage ${DIR}/registry)"
  setsid docker-registry serve "${DIR}/registry.yml" >>"${DIR}/registry.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"${DIR}/registry.pid"
  for ((i = 0; i < 40; i++)); do
    if ping_registry "$REGISTRY"; then
      note_started registry
      log "registry ready on ${REGISTRY} (pid ${pid})"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  printf 'engine: ERROR: registry did not answer on %s. Last log lines:\n' "$REGISTRY" >&2
  tail -n 20 "${DIR}/registry.log" >&2 || true
  kill "$pid" 2>/dev/null || true
  rm -f "${DIR}/registry.pid"
  exit 1
}

push_samples() {
  local build=(node "${ROOT}/scripts/build-images.js" --registry "$REGISTRY" --out "${DIR}/sample-images.json")
  if ! "${build[@]}" --check "${ROOT}/scripts/images/digests.json" >/dev/null; then
    [[ "${KSAD_ALLOW_DIGEST_DRIFT:-}" == 1 ]] ||
      die "could not push the pinned sample images to ${REGISTRY} (see above); if only the digests drifted, KSAD_ALLOW_DIGEST_DRIFT=1 pushes them anyway"
    log "KSAD_ALLOW_DIGEST_DRIFT=1: pushing sample images whose digests differ from the pins"
    "${build[@]}" >/dev/null || die "could not push the sample images to ${REGISTRY}"
  fi
  log "sample images pushed to ${REGISTRY} (map in ${DIR}/sample-images.json)"
  # The host ingress image: Debian's caddy (downloaded, not installed) on the same busybox base.
  if node "${ROOT}/scripts/ingress-image.js" --registry "$REGISTRY" --out "${DIR}/ingress-image" >/dev/null; then
    log "ingress image pushed: $(cat "${DIR}/ingress-image")"
  else
    log "warning: could not build the ingress image (apt-get download caddy failed?); ingress tests will fail"
  fi
}

# A single-node swarm on the engine, advertised on loopback so no traffic leaves the machine.
# Swarm mode leaves plain containers, networks and volumes as they are, so the Docker-host tests
# run on the same engine. Ports are published in host mode (the routing mesh is not needed).
ensure_swarm() {
  [[ "${KSAD_SWARM:-1}" == 0 ]] && return 0
  local host state
  host=$(recorded_host)
  state=$(DOCKER_HOST="$host" docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null) ||
    die "cannot ask the engine at ${host} for its swarm state"
  case "$state" in
    "active true") log "engine is a swarm manager already" ;;
    "inactive"*)
      if ! pid_alive "${DIR}/docker.pid" && [[ "${KSAD_SWARM:-}" != 1 ]]; then
        log "warning: the reused engine at ${host} is no swarm and ksad did not start it, so it is left so; KSAD_SWARM=1 makes it one (the Swarm tests fail without)"
        return 0
      fi
      DOCKER_HOST="$host" docker swarm init --advertise-addr 127.0.0.1 >/dev/null ||
        die "docker swarm init failed on ${host}; set KSAD_SWARM=0 to run without a swarm (the Swarm tests then fail)"
      log "engine is now a single-node swarm (docker swarm init --advertise-addr 127.0.0.1)"
      ;;
    *) die "the engine at ${host} is in a swarm but not a manager (${state}); the Swarm tests need a manager" ;;
  esac
}

cmd_start() {
  command -v node >/dev/null || die "node is required"
  ensure_packages
  mkdir -p "$DIR"
  ensure_engine
  ensure_swarm
  ensure_registry
  push_samples
  log "ready: eval \"\$(bash scripts/engine.sh env)\""
}

stop_pid() {
  local name=$1 file=$2 wait_s=$3 pid i
  pid_alive "$file" || {
    rm -f "$file"
    return 0
  }
  pid=$(cat "$file")
  log "stopping ${name} (pid ${pid})"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "${name} did not stop in ${wait_s} s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

cmd_stop() {
  local stop_engine=1 stop_registry=1
  if [[ -n "$SESSION_FILE" ]]; then
    grep -qx dockerd "$SESSION_FILE" 2>/dev/null || stop_engine=0
    grep -qx registry "$SESSION_FILE" 2>/dev/null || stop_registry=0
  fi
  [[ $stop_registry -eq 1 ]] && stop_pid registry "${DIR}/registry.pid" 10
  if [[ $stop_engine -eq 1 ]]; then
    # dockerd stops its containers (10 s grace each, in parallel) and its containerd first.
    stop_pid dockerd "${DIR}/docker.pid" 40
    drop_network_setup
    rm -f "${DIR}/docker-host"
  fi
  if [[ $stop_engine -eq 0 && $stop_registry -eq 0 ]]; then
    log "nothing to stop: this run reused what was already running"
  fi
  return 0
}

cmd_status() {
  local rc=0 host
  if pid_alive "${DIR}/docker.pid"; then
    log "dockerd: running, started by engine.sh (pid $(cat "${DIR}/docker.pid"), unix://${SOCK})"
  elif host=$(recorded_host) && ping_docker "$host"; then
    log "dockerd: reusing ${host} (not started by engine.sh)"
  else
    log "dockerd: not running"
    rc=1
  fi
  if pid_alive "${DIR}/registry.pid"; then
    log "registry: running, started by engine.sh (pid $(cat "${DIR}/registry.pid"), ${REGISTRY})"
  elif ping_registry "$REGISTRY"; then
    log "registry: answers on ${REGISTRY} (not started by engine.sh)"
  else
    log "registry: not answering on ${REGISTRY}"
    rc=1
  fi
  return $rc
}

cmd_env() {
  local host
  if ! host=$(recorded_host); then
    if [[ -n "${DOCKER_HOST:-}" ]]; then host=$DOCKER_HOST; else host="unix://${SOCK}"; fi
    log "warning: no engine recorded in ${DIR}; run: bash scripts/engine.sh start"
  fi
  printf 'export DOCKER_HOST=%q\n' "$host"
  printf 'export KSAD_REGISTRY=%q\n' "$REGISTRY"
  [[ -f "${DIR}/sample-images.json" ]] && printf 'export KSAD_SAMPLE_IMAGES=%q\n' "${DIR}/sample-images.json"
  [[ -f "${DIR}/ingress-image" ]] && printf 'export KSAD_INGRESS_IMAGE=%q\n' "$(cat "${DIR}/ingress-image")"
  return 0
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: bash scripts/engine.sh start|stop|status|env" >&2
    exit 2
    ;;
esac
