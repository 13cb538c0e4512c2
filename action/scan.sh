#!/usr/bin/env bash
# The scan step of the mldebt GitHub Action (action.yml): ONE scan that prints workflow
# annotations and writes SARIF (for github/codeql-action/upload-sarif), JSON, the ML Test Score
# badge and the Markdown summary, which is appended to $GITHUB_STEP_SUMMARY. The exit code is
# mldebt's: 0 clean, 1 findings at or above the gate (or a score below min-score), 2 error.
#
# Inputs come as environment variables (set by action.yml): MLDEBT_PATH, MLDEBT_FAIL_ON,
# MLDEBT_MIN_SCORE, MLDEBT_BASELINE, MLDEBT_OUTPUT_DIR, MLDEBT_ARTIFACT_NAME. When the output
# folder is uploaded as an artifact (MLDEBT_ARTIFACT_NAME set), a summary cut to GitHub's size
# limit links the run's artifacts page, built from the runner's GITHUB_* variables.
set -uo pipefail

output_dir="${MLDEBT_OUTPUT_DIR:-mldebt-report}"
mkdir -p "$output_dir"
summary="$output_dir/summary.md"

args=(scan "${MLDEBT_PATH:-.}" --format github
      -o "sarif:$output_dir/mldebt.sarif" -o "json:$output_dir/mldebt.json" -o "markdown:$summary"
      -o "badge:$output_dir/mldebt-badge.svg")
if [ -n "${MLDEBT_FAIL_ON:-}" ]; then args+=(--fail-on "$MLDEBT_FAIL_ON"); fi
if [ -n "${MLDEBT_MIN_SCORE:-}" ]; then args+=(--min-score "$MLDEBT_MIN_SCORE"); fi
if [ -n "${MLDEBT_BASELINE:-}" ]; then args+=(--baseline "$MLDEBT_BASELINE"); fi
if [ -n "${MLDEBT_ARTIFACT_NAME:-}" ] && [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] \
   && [ -n "${GITHUB_RUN_ID:-}" ]; then
  args+=(--report-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID#artifacts")
fi

mldebt "${args[@]}"
status=$?

if [ -f "$summary" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "sarif=$output_dir/mldebt.sarif"
    echo "json=$output_dir/mldebt.json"
    echo "summary=$summary"
    echo "badge=$output_dir/mldebt-badge.svg"
    echo "exit-code=$status"
  } >> "$GITHUB_OUTPUT"
fi
exit "$status"
