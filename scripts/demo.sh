#!/usr/bin/env bash
# sfnc demo: deploy the `local` env to a moto server on 127.0.0.1, show that a re-run changes nothing
# and that `sfnc diff` is clean. No AWS account or credentials are needed.
#
#   scripts/demo.sh [PROJECT_DIR]      (default: the repository root)
#
# Environment: VENV (default .venv), DEMO_PORT (default 5055, the port envs/local.yaml names; a free
# port is used instead when it is taken), DEMO_ENV (default local).
# The moto server is a background process on 127.0.0.1 only; it is stopped by its PID on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$(cd "${1:-${SFNC_PROJECT:-$ROOT}}" && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
SFNC="$VENV/bin/sfnc"
ENV_NAME="${DEMO_ENV:-local}"
DEFAULT_PORT=5055
HELPER="$ROOT/scripts/moto_server.py"

for tool in "$PY" "$SFNC" "$VENV/bin/moto_server"; do
  if [[ ! -x "$tool" ]]; then
    echo "demo: $tool not found; create the venv first (make venv, or pip install -e '.[dev]')" >&2
    exit 2
  fi
done

PORT="$("$PY" "$HELPER" port "${DEMO_PORT:-$DEFAULT_PORT}")"
URL="http://127.0.0.1:$PORT"
EXTRA=()
if [[ "$PORT" != "$DEFAULT_PORT" ]]; then
  echo "demo: port $DEFAULT_PORT is taken; using $PORT (passed with --set aws.endpoint_url=$URL)"
  EXTRA=(--set "aws.endpoint_url=$URL")
fi

LOG="$(mktemp -t sfnc-demo-moto.XXXXXX.log)"
MOTO_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    echo "demo: moto server (pid $MOTO_PID) stopped"
  fi
  if [[ $rc -ne 0 && -s "$LOG" ]]; then
    echo "demo: failed (exit $rc); last lines of the moto log ($LOG):" >&2
    tail -n 20 "$LOG" >&2 || true
  else
    rm -f "$LOG"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then BOLD=$'\033[1m'; RESET=$'\033[0m'; else BOLD=""; RESET=""; fi
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "start moto on $URL"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
"$PY" "$HELPER" wait "$URL" 20
echo "moto server pid $MOTO_PID answers on $URL"

cd "$PROJECT"

step "committed definitions are up to date"
printf '$ %s\n' "$SFNC render --all-envs --check"
if CHECK_OUT="$("$SFNC" render --all-envs --check 2>&1)"; then
  printf '%s\n' "$CHECK_OUT"
else
  # deploy ships only committed files that match their templates; for the demo, bring local's up to date
  printf '%s\n' "$CHECK_OUT" | grep -E '^[A-Za-z0-9_-]+: [0-9]+ of [0-9]+ definitions are stale' || true
  echo "demo: definitions are missing or stale; rendering env $ENV_NAME (review and commit definitions/)"
  run "$SFNC" render --env "$ENV_NAME"
fi

if "$SFNC" validate --help >/dev/null 2>&1; then
  step "validate"
  run "$SFNC" validate
fi

step "deploy (first time: creates the machines)"
run "$SFNC" deploy --env "$ENV_NAME" --yes ${EXTRA[@]+"${EXTRA[@]}"}

step "what is deployed (boto3 listing, not sfnc)"
"$PY" "$HELPER" list "$URL"

step "deploy again: nothing to do"
OUT="$("$SFNC" deploy --env "$ENV_NAME" --yes ${EXTRA[@]+"${EXTRA[@]}"})"
printf '%s\n' "$OUT"
if ! grep -Eq '^0 created, 0 updated, [0-9]+ unchanged, 0 failed$' <<<"$OUT"; then
  echo "demo: the second deploy was expected to change nothing" >&2
  exit 1
fi

step "diff: deployed == rendered"
run "$SFNC" diff --env "$ENV_NAME" ${EXTRA[@]+"${EXTRA[@]}"}

step "demo OK"
