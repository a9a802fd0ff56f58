#!/usr/bin/env bash
# Runs the checks and the whole pytest suite against the running stack. Fails on any failure and on
# "no tests ran" (pytest exit code 5), which would otherwise look like success.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
mkdir -p .run/test-artifacts
scripts/stack.sh install-browser || exit 1
scripts/stack.sh install-node || exit 1
scripts/stack.sh install-promtool || exit 1
.venv/bin/ruff check . || exit 1
.venv/bin/lint-imports --no-cache || exit 1  # the architecture contracts in pyproject.toml
.venv/bin/mypy shared/contracts/src shared/plumbing/src services/*/src demo scripts bench conftest.py tests shared/*/tests services/*/tests || exit 1
.venv/bin/pytest "$@" --junitxml=.run/test-artifacts/junit.xml
rc=$?
if [[ $rc -eq 5 ]]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit $rc
