#!/usr/bin/env bash
# The whole suite: lint, then pytest on SQLite, then on PostgreSQL when one can be had.
# Says plainly what it could not set up, and never pretends a skipped run passed.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export KURATOR_DEBUG=0 PYTHONDONTWRITEBYTECODE=1
mkdir -p test-artifacts
status=0

say() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }

# Browser tests need Debian's Chromium; install it where apt works, else they are skipped with a message.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  say "Installing Debian's chromium for the browser tests"
  if ! { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }; then
    echo "Could not install chromium with apt: the browser tests will be skipped."
  fi
fi
[ -x /usr/bin/chromium ] || echo "NOTE: /usr/bin/chromium is missing: browser tests are skipped."

# Redis is optional in production; when one can be had, the tests that prove that path use it.
if [ -z "${KURATOR_TEST_REDIS_URL:-}" ] && command -v redis-cli >/dev/null; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && command -v redis-server >/dev/null; then
    say "Starting the local Redis"
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp --logfile /tmp/kurator-redis.log || true
    sleep 1
  fi
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then export KURATOR_TEST_REDIS_URL="redis://127.0.0.1:6379/15"; fi
fi
[ -n "${KURATOR_TEST_REDIS_URL:-}" ] || echo "NOTE: Redis is not reachable: the Redis tests are skipped."

say "Lint: ruff and mypy"
$BIN/ruff check . && $BIN/ruff format --check . && $BIN/mypy || status=1

say "Tests on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" $BIN/pytest -n 2 -p no:cacheprovider "$@" || status=1

# PostgreSQL: DATABASE_URL if given, else the local cluster, started if it is installed but down.
pg_url="${KURATOR_TEST_POSTGRES_URL:-}"
if [ -z "$pg_url" ] && [[ "${DATABASE_URL:-}" == postgres* ]]; then pg_url="$DATABASE_URL"; fi
if [ -z "$pg_url" ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
    say "Starting the local PostgreSQL cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then pg_url="postgres://postgres@127.0.0.1:5432/kurator"; fi
fi
if [ -n "$pg_url" ]; then
  say "Tests on PostgreSQL ($pg_url)"
  DATABASE_URL="$pg_url" $BIN/pytest -n 2 -p no:cacheprovider "$@" || status=1
else
  say "PostgreSQL is not reachable (no DATABASE_URL, nothing on 127.0.0.1:5432): the PostgreSQL run was NOT done."
fi

if [ $status -ne 0 ]; then say "FAILED"; else say "All checks passed"; fi
exit $status
