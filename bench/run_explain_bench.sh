#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Explanation speed (issue 13), default model, 2 threads, on a 4-minute and a 10-minute track
# (the shared CC-BY clips end to end, bench/make_bench_track.py): seconds of `tag` (decode +
# analysis), of the first view (occlusion of every tag + gradient relevance of the top tag), of
# the faithfulness curves of the top tag (>= 20 random orderings, every method), each also as a
# multiple of tag's time, and the peak RSS of each run (goal < 600 MB on the 10-minute track).
# Goals (issue 13, 4-minute track, quiet 2-core machine): first view < 5 s, curves < 30 s more.
# Run it on a quiet machine: the figures are wall times. Quality (faithfulness on real tracks)
# is bench/run_faithfulness_bench.sh.
#
# Usage: bench/run_explain_bench.sh [build-dir]        (default: build)
# Environment: TAGSCOPE_SHARED (default ../shared), BENCH_THREADS (2), BENCH_ORDERINGS (20),
#              BENCH_SECONDS ("240 600": the track lengths; e.g. "20 40" for a quick check).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
bench="$build/bench/tagscope_bench_explain"
shared="${TAGSCOPE_SHARED:-$here/../shared}"
threads="${BENCH_THREADS:-2}"
orderings="${BENCH_ORDERINGS:-20}"
lengths="${BENCH_SECONDS:-240 600}"
python=/usr/bin/python3

[ -x "$bench" ] || { echo "run_explain_bench: no $bench (cmake --build $build --target tagscope_bench_explain)" >&2; exit 2; }
[ -d "$shared/audio" ] || { echo "run_explain_bench: no reference clips at $shared/audio" >&2; exit 2; }

work="$(mktemp -d -t tagscope-explain-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

for seconds in $lengths; do
  "$python" "$here/bench/make_bench_track.py" "$shared/audio" "$work/track_$seconds.flac" "$seconds"
  echo "== speed: $seconds s track =="
  # One process per track, so each PEAK RSS line is that track's own.
  "$bench" speed --threads "$threads" --orderings "$orderings" "$work/track_$seconds.flac"
  echo
done
