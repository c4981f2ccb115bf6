#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the test suite under sanitizers, in a build directory of its own.
#
#   tools/sanitize.sh [ctest args...]            AddressSanitizer + UndefinedBehaviorSanitizer,
#                                                every target and every test (build-asan)
#   tools/sanitize.sh --thread [gtest filter]    ThreadSanitizer on the ui tests: analysis worker,
#                                                controller, model switching, playback (build-tsan)
#
# Environment: TAGSCOPE_SANITIZE_BUILD overrides the build directory; TAGSCOPE_SANITIZE_TARGETS
# (space separated) builds only those targets (e.g. "tagscope_core_tests", with a matching
# `-R` filter for ctest) when a whole build does not fit the time there is. Builds and runs niced
# (nice -n 19); a sanitizer build shares nothing with the compiler cache, so the first build
# is a full one. Suppressions live in tools/sanitizers/ and each entry says why it is there.
# Exit status: that of ctest (or of the ui test binary with --thread).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
supp="$root/tools/sanitizers"
mode=address
if [[ "${1:-}" == "--thread" ]]; then
    mode=thread
    shift
fi

if [[ $mode == address ]]; then
    build="${TAGSCOPE_SANITIZE_BUILD:-$root/build-asan}"
    # NOTE: LibTorch, Qt and the system libraries are not instrumented; ASan still checks every
    # access our code makes, LeakSanitizer sees every allocation. lsan.supp lists the one-time
    # allocations of those libraries that live until exit.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:abort_on_error=1}"
    export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp}"
    cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAGSCOPE_SANITIZER=address -DTAGSCOPE_BUILD_BENCHMARKS=OFF)
else
    build="${TAGSCOPE_SANITIZE_BUILD:-$root/build-tsan}"
    # NOTE: the torch layer is left uninstrumented (TSan cannot see into LibTorch anyway), so in a
    # Release build its objects come from the compiler cache; it is still linked with the runtime.
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp}"
    # Release: the uninstrumented torch layer then compiles exactly as in a normal build.
    cmake_args=(-DCMAKE_BUILD_TYPE=Release -DTAGSCOPE_SANITIZER=thread -DTAGSCOPE_SANITIZER_SKIP=tagscope_model
                -DTAGSCOPE_BUILD_BENCHMARKS=OFF)
fi

if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$build" -G Ninja "${cmake_args[@]}"
fi

if [[ $mode == address ]]; then
    targets=()
    for t in ${TAGSCOPE_SANITIZE_TARGETS:-}; do targets+=(--target "$t"); done
    nice -n 19 cmake --build "$build" -j2 "${targets[@]}"
    # NOTE: sanitizers slow everything 2-5x; the per-test timeout grows accordingly.
    nice -n 19 ctest --test-dir "$build" --output-on-failure --timeout 3600 "$@"
else
    nice -n 19 cmake --build "$build" -j2 --target tagscope_ui_tests
    filter="${1:-AnalysisController*:ModelSwitch*:ModelQuit*:Playback*:PcmSource*:PlayheadClock*:DefaultModel*:MainWindow*}"
    # NOTE: QT_NO_GLIB: Qt's own event dispatcher instead of glib's (glib is not instrumented; its
    # wake-up eventfd shows up as a race between the threads of every test).
    # Debian's QtCore is not built with TSan and its QMutex is futex-based, so TSan cannot see the
    # locking that orders every queued call between threads (on 2026-11-30 all 125 reports of a
    # run against it had Qt's event delivery in their stacks). tools/sanitizers/build_qt_tsan.sh
    # builds an instrumented QtCore from Debian's source; it is used when present.
    qt_tsan="${TAGSCOPE_TSAN_QT:-$root/build-qt-tsan}/lib"
    if [[ -e "$qt_tsan/libQt6Core.so.6" ]]; then
        export LD_LIBRARY_PATH="$qt_tsan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        # NOTE: that QtCore was configured with Qt's default prefix; the plugins are Debian's.
        export QT_PLUGIN_PATH="${QT_PLUGIN_PATH:-/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/qt6/plugins}"
        echo "sanitize: ThreadSanitizer QtCore from $qt_tsan" >&2
    else
        echo "sanitize: WARNING: Debian's uninstrumented QtCore; expect reports in Qt's event delivery" \
             "(run tools/sanitizers/build_qt_tsan.sh first)" >&2
    fi
    QT_NO_GLIB=1 QT_QPA_PLATFORM=offscreen nice -n 19 "$build/tests/ui/tagscope_ui_tests" --gtest_filter="$filter"
fi
