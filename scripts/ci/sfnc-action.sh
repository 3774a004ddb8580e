#!/usr/bin/env bash
# The GitHub Action's work (action.yml runs it), runnable anywhere: validate with a SARIF report and
# GitHub annotations, render --check, and optionally deploy (which refuses a stale envs/<env>.lock.json
# itself). Every step runs even when an
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
set -uo pipefail

SFNC=${SFNC:-sfnc}
cd "${SFNC_PROJECT:-.}" || exit 2
SARIF=${SFNC_SARIF-sfnc.sarif}
ANNOTATIONS=${SFNC_ANNOTATIONS:-${GITHUB_ACTIONS:-false}}
worst=0
note() { worst=$(( $1 > worst ? $1 : worst )); }
group() { if [ "$ANNOTATIONS" = true ]; then echo "::group::$*"; else echo "== $*"; fi; }
endgroup() { if [ "$ANNOTATIONS" = true ]; then echo "::endgroup::"; fi; }

if [ "${SFNC_VALIDATE:-true}" = true ]; then
  group "sfnc validate ${SFNC_VALIDATE_ARGS:-}"
  if [ "$ANNOTATIONS" = true ]; then fmt=github; else fmt=text; fi
  # every report format is written on every exit code: a template that does not render, an env file that
  # does not load or a file that cannot be read is in the annotations and the SARIF like any finding
  # shellcheck disable=SC2086  # (the args are meant to be split)
  $SFNC validate --format "$fmt" ${SFNC_VALIDATE_ARGS:-}
  note $?
  if [ -n "$SARIF" ]; then
    rm -f "$SARIF"
    # shellcheck disable=SC2086
    $SFNC validate --format sarif --output "$SARIF" ${SFNC_VALIDATE_ARGS:-} 2>/dev/null
    note $?
    if [ -s "$SARIF" ]; then echo "SARIF report: $SARIF"; else echo "no SARIF report: sfnc validate did not run (see above)" >&2; fi
  fi
  endgroup
fi

is_project() { [ -d templates ] || [ -f sfnc.toml ] || grep -qs '^\[tool\.sfnc' pyproject.toml; }
if [ "${SFNC_RENDER_CHECK:-true}" = true ] && is_project; then
  group "sfnc render --all-envs --check"
  $SFNC render --all-envs --check
  note $?
  endgroup
fi

if [ -n "${SFNC_DEPLOY_ENV:-}" ]; then
  if [ "$worst" -ne 0 ]; then
    echo "not deploying ${SFNC_DEPLOY_ENV}: an earlier step failed" >&2
  else
    group "sfnc deploy --env ${SFNC_DEPLOY_ENV}"
    # shellcheck disable=SC2086
    $SFNC deploy --env "$SFNC_DEPLOY_ENV" ${SFNC_DEPLOY_ARGS:---yes}
    note $?
    endgroup
  fi
fi

exit "$worst"
