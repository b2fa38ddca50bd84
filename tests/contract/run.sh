#!/usr/bin/env bash
# `make contract`: schemathesis against a seeded server, checking that the server does what
# openapi/openapi.json says (and the document says what the server does).
#
#   CONTRACT_EXAMPLES=N          test cases per operation and phase (default 20)
#   CONTRACT_DATABASE_URL=postgres://user@host:port/any   run on a fresh PostgreSQL database made on
#                                that server (dropped afterwards); SQLite in a temp dir otherwise
#   KITH=path/to/kith            the binary (default: target/debug/kith, built by make contract)
#   CONTRACT_REPORT_DIR=dir      where the JUnit report goes (default target/contract)
#   CONTRACT_SEED=N              Hypothesis seed (default 7, so runs repeat; change it to explore)
#   CONTRACT_LOG=info            the server's log level (its log is kept in the report dir)
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
VENV=.venv-contract
KITH=${KITH:-${CARGO_TARGET_DIR:-target}/debug/kith}
EXAMPLES=${CONTRACT_EXAMPLES:-20}
SEED=${CONTRACT_SEED:-7}
REPORT_DIR=${CONTRACT_REPORT_DIR:-${CARGO_TARGET_DIR:-target}/contract}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  echo ">>> installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

tmp=$(mktemp -d)
pid=""
pg_db=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then
    psql "$CONTRACT_DATABASE_URL" -qtAc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${CONTRACT_DATABASE_URL:-}" ]; then
  pg_db="kith_contract_$(date +%s)_$$"
  psql "$CONTRACT_DATABASE_URL" -qtAc "CREATE DATABASE $pg_db" >/dev/null
  database_url="${CONTRACT_DATABASE_URL%/*}/$pg_db"
else
  database_url="sqlite://$tmp/contract.db"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

export DATABASE_URL="$database_url"
export KITH_BIND="127.0.0.1:$port"
export KITH_PUBLIC_URL="$base"
export KITH_STATIC_DIR="$tmp/no-spa"
export KITH_MAIL_TRANSPORT="file:$tmp/mail"
export KITH_DATA_DIR="$tmp/data"
export KITH_ACCESS_TOKEN_SECONDS=7200
export KITH_LOG_FORMAT=text
export RUST_LOG=${CONTRACT_LOG:-warn}

"$KITH" migrate >/dev/null
"$KITH" seed-demo >/dev/null
"$KITH" serve >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$base/readyz" 2>/dev/null; then break; fi
  sleep 0.2
done

# The demo administrator (crates/api/src/seed.rs).
token=$(python3 - "$base" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/api/v1/auth/login", method="POST",
    data=json.dumps({"email": "admin@demo.kith.test", "password": "kith-demo-2026"}).encode(),
    headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req))["access_token"])
PY
)

mkdir -p "$REPORT_DIR"
echo ">>> schemathesis $SCHEMATHESIS_VERSION against $base (${CONTRACT_DATABASE_URL:+PostgreSQL}${CONTRACT_DATABASE_URL:-SQLite}), $EXAMPLES examples per operation"
status=0
# Every check runs (the default; tests/contract/schemathesis.toml tunes three of them).
# Excluded operation: logout ends the session whose token the run uses (every later request would be
# a 401, which proves nothing). NUL characters are not generated: the server refuses them in every
# text input (422, docs/API.md), which a JSON schema cannot say.
"$VENV/bin/python" tests/contract/schemathesis_cli.py --config-file tests/contract/schemathesis.toml \
  run openapi/openapi.json \
  --url "$base" \
  --header "Authorization: Bearer $token" \
  --exclude-operation-id logout \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --workers 2 \
  --phases examples,coverage,fuzzing \
  --generation-allow-x00 false \
  --no-shrink \
  --report junit --report-junit-path "$REPORT_DIR/junit.xml" \
  || status=$?
cp "$tmp/server.log" "$REPORT_DIR/server.log"
if [ "$status" != 0 ]; then
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null && code=0 || code=$?
    echo ">>> the server is gone (exit status $code): stopped from outside, or crashed (see its log)"
    pid=""
  fi
  echo ">>> the server's log (whole: $REPORT_DIR/server.log):"; tail -n 50 "$tmp/server.log"
fi
exit "$status"
