#!/usr/bin/env bash
# The whole test suite from a fresh clone: dependencies, build, a Docker engine and registry,
# then every vitest project. Arguments go to vitest (e.g. `--project unit`, a file name).
# The engine is stopped afterwards only if this run started it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'test: %s\n' "$*" >&2; }

# npm writes node_modules/.package-lock.json on every install: older than the lockfile means stale.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci >&2
fi
# The audit report is checked in a real headless browser (Debian's chromium).
if ! command -v chromium >/dev/null; then
  log "installing chromium (apt-get)"
  apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2 ||
    { log "ERROR: cannot install chromium, which the audit report test needs"; exit 1; }
fi
log "npm run build"
npm run build >&2

SESSION_FILE="$(mktemp "${TMPDIR:-/tmp}/ksad-engine-session.XXXXXX")"
export KSAD_ENGINE_SESSION_FILE="$SESSION_FILE"
# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
  local rc=$?
  bash "$ROOT/scripts/engine.sh" stop || log "warning: engine.sh stop failed"
  rm -f "$SESSION_FILE"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! bash "$ROOT/scripts/engine.sh" start; then
  # The integration and e2e projects need the engine; in CI that is a failure, never a skip.
  if [[ "${CI:-}" == true || "${CI:-}" == 1 ]]; then
    log "ERROR: no Docker engine in CI (see engine.sh output above); failing the run"
    exit 1
  fi
  log "ERROR: could not start a Docker engine; integration and e2e tests cannot run."
  log "Run only the unit tests with: npx vitest run --project unit"
  exit 1
fi
eval "$(bash "$ROOT/scripts/engine.sh" env)"
log "DOCKER_HOST=${DOCKER_HOST} KSAD_REGISTRY=${KSAD_REGISTRY}"

# The engine is one shared host (one host profile, one port space), so the projects that use it
# run one after the other; the unit project runs its files in parallel. Arguments pass through to
# a single vitest run instead (e.g. `--project unit`, a file name).
if [[ $# -gt 0 ]]; then runs=("$*"); else runs=("--project unit" "--project integration" "--project e2e"); fi
REPORTS=()
rc=0
for args in "${runs[@]}"; do
  report="$(mktemp "${TMPDIR:-/tmp}/ksad-vitest.XXXXXX.json")"
  REPORTS+=("$report")
  log "vitest run ${args}"
  set +e
  # shellcheck disable=SC2086 # args holds several words on purpose
  npx vitest run --reporter=default --reporter=json --outputFile.json="$report" $args
  code=$?
  set -e
  [[ $code -eq 0 ]] || rc=$code
done
# One closing line in the plain `N passed, N failed` form, counted from vitest's own JSON reports.
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0, total = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f) || fs.statSync(f).size === 0) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    // A suite that failed before its tests ran (a broken beforeAll) counts once.
    failed += r.numFailedTests > 0 ? r.numFailedTests : (r.numFailedTestSuites ?? 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0); total += r.numTotalTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (total === 0) { console.error("test: ERROR: no test ran"); process.exit(1); }
  if (failed > 0) process.exit(1);
' "${REPORTS[@]}" || rc=1
rm -f "${REPORTS[@]}"
exit "$rc"
