#!/usr/bin/env bash
# Signed interaction → response, under load, on loopback with a SQLite file:
#   p50 / p99 / p99.9 latency and requests per second at 1 and 64 concurrent clients, and the
#   server's peak memory. Target: p99 under 10 ms at 64 concurrent clients.
# The requests are Discord interactions signed with Ed25519 (a throwaway key), in the "mix"
# scenario: each client cycles through a need's modal submitted (the need is created and its
# first question asked), /ai show N-1, /ai mine, and /ai need (answered with its modal).
# The server runs `kakehashi serve` with DISCORD_MODE=endpoint and no bot token (commands are
# not registered, nothing is sent to Discord).
# Usage: bash benches/load.sh   (DURATION=seconds per run, default 10; PORT, default 18088)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin kakehashi --example load
bin=target/release/kakehashi
load=target/release/examples/load
seed=$(printf '11%.0s' $(seq 1 32))
duration=${DURATION:-10}
port=${PORT:-18088}
work=$(mktemp -d)
public_key=$("$load" --seed "$seed" --print-public-key)

DISCORD_MODE=endpoint DISCORD_PUBLIC_KEY=$public_key DISCORD_APPLICATION_ID=1 \
  KAKEHASHI_DB="sqlite://$work/bench.db" \
  "$bin" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

for clients in 1 64; do
  "$load" --url "http://127.0.0.1:$port" --wait --seed "$seed" --scenario mix \
    --concurrency "$clients" --duration "$duration" --server-pid "$server"
done
grep -c "item created" "$work/server.log" | sed 's/^/needs created: /'
