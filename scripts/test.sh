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
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,eval,spark]"

# PostgreSQL for the store tests: a throwaway cluster of Debian's postgresql on a local port, reused when
# it is already running. Set SAYSO_TEST_POSTGRES_URL to use another server, SAYSO_TEST_POSTGRES=0 to skip.
start_postgres() {
    local port=${SAYSO_TEST_PGPORT:-54329}
    local data=${SAYSO_TEST_PGDATA:-/tmp/sayso-test-pgdata}
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$bin" ]; then
        if [ "$(id -u)" != 0 ]; then
            echo "PostgreSQL tests skipped: postgresql is not installed and installing it needs root" >&2
            return 0
        fi
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    local as_pg=()
    if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
    if [ ! -s "$data/PG_VERSION" ]; then
        mkdir -p "$data" && { [ "$(id -u)" != 0 ] || chown postgres "$data"; }
        "${as_pg[@]}" "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
    fi
    if ! "${as_pg[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
            -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp" start >/dev/null
    fi
    "${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qtAc \
        "SELECT 1 FROM pg_database WHERE datname='sayso_test'" | grep -q 1 ||
        "${as_pg[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres sayso_test
    export SAYSO_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/sayso_test"
}
if [ -z "${SAYSO_TEST_POSTGRES_URL:-}" ] && [ "${SAYSO_TEST_POSTGRES:-1}" != 0 ]; then
    start_postgres
fi

# Spark tests (local[2]): Java from Debian; Spark binds to loopback.
if ! command -v java >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null ||
        echo "Spark tests skipped: Java could not be installed" >&2
fi
export SPARK_LOCAL_IP=127.0.0.1

# Browser tests of the web UI: Debian's Chromium, driven by Playwright (never `playwright install`: nothing
# is downloaded at test time).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

.venv/bin/ruff check src tests eval benchmarks
.venv/bin/ruff format --check src tests eval benchmarks
.venv/bin/mypy
# Long runs (all PolNeAR train articles) are marked slow: run them with `bash scripts/test.sh -m slow`.
.venv/bin/python -m pytest -q -p no:cacheprovider -m "not slow" "$@"
