#!/usr/bin/env bash
# The steps of action.yml (the GitHub Action), kept here so that test/action.test.ts runs exactly what GitHub runs.
#   actionAudit.sh install   in the action's directory: install its dependencies and build the CLI
#   actionAudit.sh audit     in the workspace: audit, write SARIF, the job summary and the step's outputs
# The audit step reads its inputs from AUDIT_* variables and GitHub's GITHUB_ACTION_PATH, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY and RUNNER_TEMP.
set -euo pipefail

install() {
  # A checkout of the action has no node_modules; a runner that kept them (or the test) skips the install.
  if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
  node scripts/cli.mjs --version >/dev/null
}

audit() {
  local cli="$GITHUB_ACTION_PATH/dist/cli.js"
  local sarif="${AUDIT_SARIF_FILE:?the sarif-file input is empty}"
  local parameters=()
  [ -n "${AUDIT_REQUIRED_LOCKS:-}" ] && parameters+=(--required-locks "$AUDIT_REQUIRED_LOCKS")
  [ -n "${AUDIT_ALLOWED_OPT_IN:-}" ] && parameters+=(--allowed-opt-in "$AUDIT_ALLOWED_OPT_IN")
  case "${AUDIT_FAIL_ON_NON_COMPLIANT:-true}" in
    true | false) ;;
    *) echo "::error::fail-on-non-compliant must be 'true' or 'false', not '$AUDIT_FAIL_ON_NON_COMPLIANT'"; exit 2 ;;
  esac

  # A live read is saved, so that the summary is made from what was read, without reading the organization twice.
  local snapshot="${AUDIT_SNAPSHOT:-}"
  local source=()
  if [ -n "$snapshot" ]; then
    source=(--snapshot "$snapshot")
  else
    snapshot="${RUNNER_TEMP:?}/ai-opt-out-audit-snapshot.json"
    source=(--save-snapshot "$snapshot" --timeout "${AUDIT_TIMEOUT:-900}")
    [ -n "${AUDIT_REGION:-}" ] && source+=(--region "$AUDIT_REGION")
  fi

  mkdir -p "$(dirname "$sarif")"
  local code=0
  node "$cli" audit "${source[@]}" "${parameters[@]}" --format sarif --output "$sarif" || code=$?
  if [ "$code" -gt 1 ]; then
    echo "::error::The audit could not run (exit code $code): see the line above."
    exit "$code"
  fi
  local compliance=COMPLIANT
  [ "$code" -eq 1 ] && compliance=NON_COMPLIANT
  {
    echo "compliance=$compliance"
    echo "sarif-file=$sarif"
  } >>"$GITHUB_OUTPUT"
  # The summary: the same decision, from the same snapshot, as Markdown; exit code 1 is the verdict, not a failure.
  node "$cli" audit --snapshot "$snapshot" "${parameters[@]}" --format markdown >>"$GITHUB_STEP_SUMMARY" || [ $? -eq 1 ]

  if [ "$compliance" = NON_COMPLIANT ]; then
    if [ "$AUDIT_FAIL_ON_NON_COMPLIANT" = false ]; then
      echo "::warning::The organization is NON_COMPLIANT: see $sarif and the job summary."
    else
      echo "::error::The organization is NON_COMPLIANT: see $sarif and the job summary."
      exit 1
    fi
  fi
}

case "${1:-}" in
  install) install ;;
  audit) audit ;;
  *) echo "usage: actionAudit.sh install|audit" >&2; exit 2 ;;
esac
