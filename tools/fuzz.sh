#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer harnesses of fuzz/ with clang (ASan + UBSan) and runs each for SECONDS.
#
#   tools/fuzz.sh SECONDS [target ...]       (default: every target in fuzz/CMakeLists.txt)
#
# Environment: TAGSCOPE_FUZZ_BUILD (build dir, default build-fuzz), TAGSCOPE_FUZZ_JOBS (harnesses
# run at once, default 2), CXX (default clang++-14), TAGSCOPE_SHARED (reference material).
# Runs niced (nice -n 19). Corpora grow in <build>/fuzz-corpus/<target> across runs; seeds are
# regenerated each run in <build>/fuzz-seeds (synthetic files from fuzz_seeds plus the repo's model
# cards and taxonomies). Crash inputs land in <build>/fuzz-artifacts/<target>/: minimise one with
# `<build>/fuzz/fuzz_<target> -minimize_crash=1 -runs=10000 FILE`, fix the bug, and commit it as
# fuzz/regressions/<target>/<name> so tests/core/test_fuzz_regressions.cpp replays it forever.
# Prints one line per target: executions, new corpus size, crashes; exits 1 when any crashed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:?usage: tools/fuzz.sh SECONDS [target ...]}"
shift
build="${TAGSCOPE_FUZZ_BUILD:-$root/build-fuzz}"
jobs="${TAGSCOPE_FUZZ_JOBS:-2}"
cxx="${CXX:-clang++-14}"
cc="${CC:-clang-14}"

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    read -r -a targets <<<"$(sed -n 's/^set(TAGSCOPE_FUZZ_TARGETS \(.*\))$/\1/p' "$root/fuzz/CMakeLists.txt")"
fi

if [[ ! -f "$build/CMakeCache.txt" ]]; then
    CC="$cc" CXX="$cxx" cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTAGSCOPE_FUZZ=ON -DTAGSCOPE_BUILD_GUI=OFF -DTAGSCOPE_BUILD_TESTS=OFF -DTAGSCOPE_BUILD_BENCHMARKS=OFF >/dev/null
fi
nice -n 19 cmake --build "$build" -j2 --target tagscope_fuzzers

seeds="$build/fuzz-seeds"
rm -rf "$seeds"
"$build/fuzz/fuzz_seeds" "$seeds"
cp "$root"/models/*.json "$seeds/model_card/"
cp "$root"/models/taxonomy/*.json "$seeds/taxonomy/"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tools/sanitizers/lsan.supp:print_suppressions=0}"

run_one() {
    local t="$1" dict=()
    mkdir -p "$build/fuzz-corpus/$t" "$build/fuzz-artifacts/$t"
    case "$t" in model_card | taxonomy | safetensors | journal) dict=(-dict="$root/fuzz/dicts/json.dict") ;; esac
    # NOTE: rss_limit 2 GB and 25 s per input: a parser that allocates what a header claims, or
    # loops on it, is a finding. Inputs up to 64 kB keep the harnesses fast.
    nice -n 19 "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 \
        -max_len=65536 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="$build/fuzz-artifacts/$t/" "$build/fuzz-corpus/$t" "$seeds/$t" \
        >"$build/fuzz-$t.log" 2>&1 || true
}
export -f run_one
export build seconds root seeds

printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'

status=0
printf '%-15s %14s %10s %8s %6s\n' target executions corpus crashes slow
for t in "${targets[@]}"; do
    log="$build/fuzz-$t.log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    corpus=$(find "$build/fuzz-corpus/$t" -type f | wc -l)
    # crash-, leak-, oom- and timeout- files are findings; slow-unit- files only inform.
    crashes=$(find "$build/fuzz-artifacts/$t" -type f ! -name 'slow-unit-*' | wc -l)
    slow=$(find "$build/fuzz-artifacts/$t" -type f -name 'slow-unit-*' | wc -l)
    printf '%-15s %14s %10s %8s %6s\n' "$t" "${execs:-?}" "$corpus" "$crashes" "$slow"
    if [[ "$crashes" -gt 0 ]] || grep -q 'ERROR: libFuzzer\|SUMMARY: .*Sanitizer' "$log"; then
        status=1
        grep -m3 'ERROR:\|SUMMARY:\|invariant' "$log" | sed 's/^/    /'
    fi
done
exit $status
