#!/usr/bin/env bash
# The one test command (README, and .ci/run calls it): builds .venv if missing, installs sayso with its
# test extra, then runs ruff, mypy and pytest. Data tests run when ../shared/data (SAYSO_DATA_DIR) exists.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,eval]"
.venv/bin/ruff check src tests eval benchmarks
.venv/bin/ruff format --check src tests eval benchmarks
.venv/bin/mypy
# Long runs (all PolNeAR train articles) are marked slow: run them with `bash scripts/test.sh -m slow`.
.venv/bin/python -m pytest -q -p no:cacheprovider -m "not slow" "$@"
