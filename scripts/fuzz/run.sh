#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/) and fuzzes each parser for a bounded time.
#
#   scripts/fuzz/run.sh [TARGET|all] [SECONDS]     (default: all, 60 s per target)
#
# Each target runs on a scratch copy of its seed corpus (Fuzz/corpus/TARGET; the committed corpus
# is never grown) with -timeout=10 -rss_limit_mb=2048, and prints executions, coverage (cov/ft) and
# corpus size. Exit status 1 if any target crashed, leaked, hung or ran out of memory; the input is
# kept under $FUZZ_OUT/TARGET/artifacts/ (default .build-fuzz/runs). FUZZ_BUILD=0 skips the build;
# FUZZ_JOBS sets the build's -j (default 2); FUZZ_ARGS adds libFuzzer options.
#
# The build is debug configuration + -O: optimized, but with overflow and bounds checks and
# -enable-testing (the root package adds -Ounchecked only in release), under
# --sanitize fuzzer --sanitize address.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${1:-all}
SECONDS_PER_TARGET=${2:-60}
SWIFT=${SWIFT:-swift}
OUT=${FUZZ_OUT:-$ROOT/.build-fuzz/runs}
ALL_TARGETS=(gguf model-meta safetensors safetensors-index hf-config tokenizer-json study-yaml task-jsonl rds)

if [[ "$TARGET" == all ]]; then TARGETS=("${ALL_TARGETS[@]}"); else TARGETS=("$TARGET"); fi
for t in "${TARGETS[@]}"; do
    [[ -d "$ROOT/Fuzz/corpus/$t" ]] || { echo "unknown fuzz target '$t' (targets: ${ALL_TARGETS[*]})" >&2; exit 2; }
done

if [[ "${FUZZ_BUILD:-1}" != 0 ]]; then
    start=$(date +%s)
    echo "== building Fuzz/ (debug -O, --sanitize fuzzer,address)"
    # SwiftPM passes --sanitize flags to swiftc one by one and only the last -sanitize= counts:
    # the combined -Xswiftc flag (after them) instruments Swift code for both.
    (cd "$ROOT/Fuzz" && "$SWIFT" build -c debug --sanitize fuzzer --sanitize address \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -O \
        -j "${FUZZ_JOBS:-2}" --product ptqlab-fuzz) || { echo "fuzz build failed" >&2; exit 1; }
    echo "== build took $(( $(date +%s) - start )) s"
fi
BIN="$ROOT/Fuzz/.build/debug/ptqlab-fuzz"
[[ -x "$BIN" ]] || { echo "missing $BIN" >&2; exit 1; }

# Leak checks stay on; Fuzz/lsan.supp lists the one known leak outside PTQLab (Foundation). The
# Swift runtime's backtracer is off: ASan and libFuzzer report crashes, and the backtracer's own
# memory reads look like stack underflows to ASan.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:handle_abort=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/Fuzz/lsan.supp:print_suppressions=0}
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

failed=()
printf '%-18s %10s %9s %7s %7s %8s %s\n' target executions exec/s cov ft corpus result
for t in "${TARGETS[@]}"; do
    work="$OUT/$t"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp "$ROOT/Fuzz/corpus/$t/"* "$work/corpus/"
    dict=()
    [[ -f "$ROOT/Fuzz/dict/$t.dict" ]] && dict=("-dict=$ROOT/Fuzz/dict/$t.dict")
    # shellcheck disable=SC2086
    "$BIN" "$t" -max_total_time="$SECONDS_PER_TARGET" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "${dict[@]}" ${FUZZ_ARGS:-} "$work/corpus" >"$work/log" 2>&1
    status=$?
    runs=$(awk '/stat::number_of_executed_units:/ {v=$2} END {print v}' "$work/log")
    speed=$(awk '/stat::average_exec_per_sec:/ {v=$2} END {print v}' "$work/log")
    last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
    artifacts=$(ls "$work/artifacts" 2>/dev/null)
    result=ok
    # A slow unit (libFuzzer's -report_slow_units, 10 s) is a finding only if it is slow again on
    # its own: on a loaded machine a scheduling stall makes any input "slow". Replayed once; kept
    # as a finding when the replay takes 1 s or more.
    stalls=()
    for a in $artifacts; do
        [[ "$a" == slow-unit-* ]] || continue
        replay=$("$BIN" "$t" -runs=3 "$work/artifacts/$a" 2>&1 | sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p' | sort -n | tail -1)
        if [[ -n "$replay" && "$replay" -lt 1000 ]]; then
            stalls+=("$a (${replay} ms on replay)")
            mv "$work/artifacts/$a" "$work/stalled-$a"
        fi
    done
    artifacts=$(ls "$work/artifacts" 2>/dev/null)
    if [[ $status -ne 0 || -n "$artifacts" ]]; then
        result="FAILED (exit $status)"
        failed+=("$t")
    fi
    printf '%-18s %10s %9s %7s %7s %8s %s\n' "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
    for st in "${stalls[@]}"; do echo "    note: slow unit did not reproduce, not a finding: $st"; done
    if [[ "$result" != ok ]]; then
        echo "---- $t: last lines of $work/log"
        grep -v '^#[0-9]' "$work/log" | tail -40
        for a in $artifacts; do echo "---- $t: input saved as $work/artifacts/$a"; done
    fi
done

if (( ${#failed[@]} )); then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing: no crashes, leaks or timeouts"
