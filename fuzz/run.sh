#!/usr/bin/env bash
# Runs the fuzz targets one after another, each for SECONDS (default 600), and prints per
# target: executions, executions per second, corpus size, peak RSS and crashes. Exits non-zero
# if any target crashed (the reproducer is in fuzz/artifacts/<target>/).
#
#   bash fuzz/run.sh                       # every target, 10 minutes each
#   bash fuzz/run.sh custom_id             # one target
#   SECONDS_EACH=30 bash fuzz/run.sh       # a quick pass
#
# Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets it take the nightly flags cargo-fuzz
# passes. The targets are built without a sanitizer (the crate has no unsafe code; a panic or
# an abort is what is looked for); SANITIZER=address builds them with AddressSanitizer.
# CARGO_TARGET_DIR, when set, is where they are built (else fuzz/target). The working corpus
# is fuzz/corpus/<target>/ (not committed), started from the seeds in fuzz/seeds/<target>/.
# The libFuzzer output of each run is kept in fuzz/logs/<target>.log.
set -uo pipefail

cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
seconds=${SECONDS_EACH:-600}
sanitizer=${SANITIZER:-none}
dir_flags=()
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    dir_flags+=(--target-dir "$CARGO_TARGET_DIR")
fi

all=(slack_command slack_interaction discord_interaction command_grammar custom_id answers_file)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

if [ ${#targets[@]} -eq 1 ]; then
    cargo fuzz build -s "$sanitizer" "${dir_flags[@]}" "${targets[0]}" || exit 2
else
    cargo fuzz build -s "$sanitizer" "${dir_flags[@]}" || exit 2
fi

mkdir -p logs
failed=0
rows=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    cp -n "seeds/$t/"* "corpus/$t/" 2>/dev/null || true
    before=$(find "artifacts/$t" -type f | wc -l)
    echo "== $t: ${seconds}s" >&2
    cargo fuzz run -s "$sanitizer" "${dir_flags[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"logs/$t.log" 2>&1
    status=$?
    after=$(find "artifacts/$t" -type f | wc -l)
    crashes=$((after - before))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    # the corpus as libFuzzer last reported it: inputs kept / their size
    corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "logs/$t.log" | tail -1 | cut -d' ' -f2)
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        failed=1
        verdict="CRASH (exit $status, $crashes new in artifacts/$t)"
        grep -m1 -A3 'panicked at\|ERROR: libFuzzer\|deadly signal' "logs/$t.log" >&2 || true
    else
        verdict="clean"
    fi
    rows+=("$(printf '%-20s %10s %8s %12s %6s  %s' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "${rss:-?}" "$verdict")")
done

printf '%-20s %10s %8s %12s %6s  %s\n' target executions exec/s corpus rss_mb result
printf '%s\n' "${rows[@]}"
exit $failed
