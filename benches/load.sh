#!/usr/bin/env bash
# The load matrix of BENCHMARKS.md: `kakehashi serve` (release build) started by the load tool
# (examples/load.rs) with both transports on, driven with requests signed as Slack and Discord
# sign them, on SQLite and — when KAKEHASHI_TEST_PG names a server — on PostgreSQL.
#
#   bash benches/load.sh                  # SQLite (and PostgreSQL if KAKEHASHI_TEST_PG is set)
#   DURATION=20 bash benches/load.sh      # seconds per run (default 10)
#   RATE=500 bash benches/load.sh         # the open-loop rate, requests/s (default 500)
#   ONLY=postgres bash benches/load.sh    # one database
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

# Every run starts on an empty database: a fresh SQLite file (the load tool's default), or a
# fresh PostgreSQL database, dropped afterwards.
pgdb="kk_load_$$"
fresh() {
  if [[ "$1" == sqlite ]]; then return; fi
  psql "$KAKEHASHI_TEST_PG" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" -c "CREATE DATABASE $pgdb"
  echo --db "${KAKEHASHI_TEST_PG%/*}/$pgdb"
}
databases=(sqlite)
if [[ -n "${KAKEHASHI_TEST_PG:-}" ]]; then
  trap 'psql "$KAKEHASHI_TEST_PG" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)"' EXIT
  databases+=(postgres)
fi
[[ -n "${ONLY:-}" ]] && databases=("$ONLY")   # ONLY=sqlite or ONLY=postgres

for db in "${databases[@]}"; do
  echo "== database: $db"
  for platform in slack discord; do
    for run in "submit 1" "submit 64" "submit 64 $rate" "ping 64" "mix 64"; do
      read -r scenario clients at <<<"$run"
      args=(--spawn "$bin" --duration "$duration" --platform "$platform" --scenario "$scenario" --concurrency "$clients")
      [[ -n "$at" ]] && args+=(--rate "$at")
      # shellcheck disable=SC2046 # fresh prints two words, or nothing
      "$load" "${args[@]}" $(fresh "$db") || true
    done
  done
done
