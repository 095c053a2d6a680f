#!/usr/bin/env bash
# The figures of issue 16 in one go, from the project root:
#   bash benches/compare.sh                       # this tree's release build
#   BASE=/path/to/old/kakehashi bash benches/compare.sh   # and an older binary, back to back
#
# For each binary (BASE first when given, then this tree's): the side-by-side run against Bolt
# (../shared/peer/side-by-side.sh: needs submitted and slash commands acked, with wrk), needs
# submitted in open loop at $RATE/s on SQLite, and 64 clients in closed loop on PostgreSQL when
# KAKEHASHI_TEST_PG names a server (a fresh database each run). `uptime` before each, since the
# machine may be shared.
set -uo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin kakehashi --example load || exit 1
load=target/release/examples/load
rate=${RATE:-2000}
duration=${DURATION:-10}
peer=${PEER:-../shared/peer/side-by-side.sh}
bins=()
[[ -n "${BASE:-}" ]] && bins+=("$BASE")
bins+=(target/release/kakehashi)
pgdb="kk_compare_$$"
for bin in "${bins[@]}"; do
  echo "===== $bin"
  echo "load: $(uptime)"
  KK="$bin" D="$duration" bash "$peer"
  echo "load: $(uptime)"
  echo "-- SQLite, needs submitted, open loop at $rate/s"
  "$load" --spawn "$bin" --platform slack --scenario submit --concurrency 64 --rate "$rate" --duration "$duration"
  if [[ -n "${KAKEHASHI_TEST_PG:-}" ]]; then
    echo "load: $(uptime)"
    echo "-- PostgreSQL, needs submitted, 64 clients, closed loop"
    psql "$KAKEHASHI_TEST_PG" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" -c "CREATE DATABASE $pgdb"
    "$load" --spawn "$bin" --platform slack --scenario submit --concurrency 64 --duration "$duration" \
      --db "${KAKEHASHI_TEST_PG%/*}/$pgdb"
    psql "$KAKEHASHI_TEST_PG" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)"
  fi
done
