#!/usr/bin/env bash
# The load matrix of BENCHMARKS.md: `kakehashi serve` (release build) started by the load tool
# (examples/load.rs) with both transports on, driven with requests signed as Slack and Discord
# sign them, on SQLite and — when KAKEHASHI_TEST_PG names a server — on PostgreSQL.
#
#   bash benches/load.sh                  # SQLite (and PostgreSQL if KAKEHASHI_TEST_PG is set)
#   DURATION=20 bash benches/load.sh      # seconds per run (default 10)
#   RATE=500 bash benches/load.sh         # the open-loop rate, requests/s (default 500)
#
# Each database gets, on Slack and on Discord: needs created by 1 client and by 64 clients in closed
# loop (each sends as soon as it has its answer: saturation), and by 64 clients in open loop at
# $RATE requests/s in all; the lightest request (Slack /ai help, Discord PING) by 64 clients; and
# the mix (submit, show, mine, the need modal) by 64 clients.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin kakehashi --example load
bin=target/release/kakehashi
load=target/release/examples/load
duration=${DURATION:-10}
rate=${RATE:-500}

databases=("")
if [[ -n "${KAKEHASHI_TEST_PG:-}" ]]; then
  pgdb="kk_load_$$"
  psql "$KAKEHASHI_TEST_PG" -qc "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
  trap 'psql "$KAKEHASHI_TEST_PG" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)"' EXIT
  databases+=("${KAKEHASHI_TEST_PG%/*}/$pgdb")
fi

for db in "${databases[@]}"; do
  echo "== database: ${db:-a fresh SQLite file}"
  args=(--spawn "$bin" --duration "$duration")
  [[ -n "$db" ]] && args+=(--db "$db")
  for platform in slack discord; do
    "$load" "${args[@]}" --platform "$platform" --scenario submit --concurrency 1 || true
    "$load" "${args[@]}" --platform "$platform" --scenario submit --concurrency 64 || true
    "$load" "${args[@]}" --platform "$platform" --scenario submit --concurrency 64 --rate "$rate" || true
    "$load" "${args[@]}" --platform "$platform" --scenario ping --concurrency 64 || true
    "$load" "${args[@]}" --platform "$platform" --scenario mix --concurrency 64 || true
  done
done
