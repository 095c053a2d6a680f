#!/usr/bin/env bash
# Whole-process timings with hyperfine (apt install hyperfine):
#   kakehashi assess on an answers file        (target: under 50 ms)
#   kakehashi console ready for input, on an existing database, migrations checked, then quit
#                                              (target: under 100 ms; this includes exiting)
# Usage: bash benches/startup.sh   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/kakehashi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="sqlite://$work/bench.db"
# an existing database with the demo quarter in it
"$bin" demo --db "$db" >/dev/null
hyperfine --warmup 5 --runs 50 -N \
  "$bin assess --answers examples/answers/demand-forecast.json --format json" \
  "$bin assess --answers examples/answers/cucumbers.json"
# the input comes through a shell pipe; hyperfine subtracts the shell's own start-up
hyperfine --warmup 5 --runs 50 \
  "printf 'quit\\n' | $bin console --db $db --user bench"
