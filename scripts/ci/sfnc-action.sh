#!/usr/bin/env bash
# The GitHub Action's work (action.yml runs it), runnable anywhere: validate with a SARIF report and
# GitHub annotations, render --check, and optionally lock --check + deploy. Every step runs even when an
# earlier one failed, so every report is written; the exit code is the worst step's (0 ok, 1 findings,
# 2 errors). Settings come from the environment:
#   SFNC               the sfnc command (default: sfnc)
#   SFNC_PROJECT       project directory (default: .)
#   SFNC_VALIDATE      true|false (default true)     SFNC_VALIDATE_ARGS  extra args, e.g. "template.yaml --strict"
#   SFNC_SARIF         SARIF file to write (default sfnc.sarif; empty: none)
#   SFNC_ANNOTATIONS   true|false: print GitHub workflow annotations (default: true on GitHub Actions)
#   SFNC_RENDER_CHECK  true|false (default true; skipped when the project has no templates/)
#   SFNC_DEPLOY_ENV    an env to deploy after everything passed (default: none)
#   SFNC_DEPLOY_ARGS   extra deploy args (default: --yes)
#   SFNC_LOCK_CHECK    true|false: `sfnc lock --check` before the deploy (default: true when envs/<env>.lock.json exists)
set -uo pipefail

SFNC=${SFNC:-sfnc}
cd "${SFNC_PROJECT:-.}" || exit 2
SARIF=${SFNC_SARIF-sfnc.sarif}
ANNOTATIONS=${SFNC_ANNOTATIONS:-${GITHUB_ACTIONS:-false}}
worst=0
note() { worst=$(( $1 > worst ? $1 : worst )); }
group() { if [ "$ANNOTATIONS" = true ]; then echo "::group::$*"; else echo "== $*"; fi; }
endgroup() { if [ "$ANNOTATIONS" = true ]; then echo "::endgroup::"; fi; }

# problems sfnc prints on stderr (file:line:col: error: message) as annotations, for the errors that
# stop a run before a report exists (a template that does not render, a bad env file)
annotate_stderr() {
  [ "$ANNOTATIONS" = true ] || { cat "$1" >&2; return; }
  python3 - "$1" <<'PY'
import re, sys
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    sys.stderr.write(raw)
    line = re.sub(r"\x1b\[[0-9;]*m", "", raw.rstrip("\n"))
    m = re.match(r"^(.+?):(\d+)(?::(\d+))?: (error|warning): (.*)$", line)
    if m:
        kind = "error" if m.group(4) == "error" else "warning"
        col = f",col={m.group(3)}" if m.group(3) else ""
        msg = m.group(5).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::{kind} file={m.group(1)},line={m.group(2)}{col}::{msg}")
PY
}

# a SARIF file that says the run failed, when sfnc stopped before writing one (so the upload still
# shows the failure instead of silently keeping the previous results)
fallback_sarif() {
  python3 - "$SARIF" "$1" <<'PY'
import json, re, sys
lines = [re.sub(r"\x1b\[[0-9;]*m", "", l.rstrip("\n")) for l in open(sys.argv[2], encoding="utf-8", errors="replace")]
problems = [l for l in lines if ": error: " in l or l.startswith("error: ")]
notes = [{"level": "error", "message": {"text": p}} for p in problems] or [{"level": "error", "message": {"text": "sfnc validate failed"}}]
json.dump({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{
    "tool": {"driver": {"name": "sfnc", "informationUri": "https://github.com/sfnc/sfnc", "rules": []}},
    "invocations": [{"executionSuccessful": False, "toolExecutionNotifications": notes}],
    "results": []}]}, open(sys.argv[1], "w"), indent=2)
PY
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${SFNC_VALIDATE:-true}" = true ]; then
  group "sfnc validate ${SFNC_VALIDATE_ARGS:-}"
  if [ "$ANNOTATIONS" = true ]; then fmt=github; else fmt=text; fi
  # shellcheck disable=SC2086  # (the args are meant to be split)
  $SFNC validate --format "$fmt" ${SFNC_VALIDATE_ARGS:-} 2>"$tmp/validate.err"
  rc=$?
  annotate_stderr "$tmp/validate.err"
  note $rc
  if [ -n "$SARIF" ]; then
    rm -f "$SARIF"
    # shellcheck disable=SC2086
    $SFNC validate --format sarif --output "$SARIF" ${SFNC_VALIDATE_ARGS:-} 2>/dev/null
    [ -s "$SARIF" ] || fallback_sarif "$tmp/validate.err"
    echo "SARIF report: $SARIF"
  fi
  endgroup
fi

is_project() { [ -d templates ] || [ -f sfnc.toml ] || grep -qs '^\[tool\.sfnc' pyproject.toml; }
if [ "${SFNC_RENDER_CHECK:-true}" = true ] && is_project; then
  group "sfnc render --all-envs --check"
  $SFNC render --all-envs --check 2>"$tmp/render.err"
  rc=$?
  annotate_stderr "$tmp/render.err"
  note $rc
  endgroup
fi

if [ -n "${SFNC_DEPLOY_ENV:-}" ]; then
  if [ "$worst" -ne 0 ]; then
    echo "not deploying ${SFNC_DEPLOY_ENV}: an earlier step failed" >&2
  else
    lock_check=${SFNC_LOCK_CHECK:-auto}
    if [ "$lock_check" = auto ]; then
      if [ -f "envs/${SFNC_DEPLOY_ENV}.lock.json" ]; then lock_check=true; else lock_check=false; fi
    fi
    if [ "$lock_check" = true ]; then
      group "sfnc lock --check --env ${SFNC_DEPLOY_ENV}"
      $SFNC lock --check --env "$SFNC_DEPLOY_ENV"
      note $?
      endgroup
    fi
    if [ "$worst" -eq 0 ]; then
      group "sfnc deploy --env ${SFNC_DEPLOY_ENV}"
      # shellcheck disable=SC2086
      $SFNC deploy --env "$SFNC_DEPLOY_ENV" ${SFNC_DEPLOY_ARGS:---yes}
      note $?
      endgroup
    fi
  fi
fi

exit "$worst"
