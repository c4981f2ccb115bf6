#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Explanation speed (issue 13): on a 4-minute track (the shared CC-BY clips end to end), default
# model, 2 threads: seconds of `tag`, of the first view (occlusion of every tag + gradient
# relevance of the top tag), of the faithfulness curves of the top tag (>= 20 random orderings),
# each also as a multiple of tag's time; then peak RSS of the whole run on a 10-minute track.
# Then the faithfulness of the default method on real tracks (3 clips, demo clip, corpus tracks
# from packages the student never heard, when installed).
#
# Usage: bench/run_explain_bench.sh [build-dir]        (default: build)
# Environment: TAGSCOPE_SHARED (default ../shared), BENCH_THREADS (2), BENCH_ORDERINGS (20),
#              BENCH_CORPUS_TRACKS (6, half from each test-split package; 0 skips the corpus).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
bench="$build/bench/tagscope_bench_explain"
shared="${TAGSCOPE_SHARED:-$here/../shared}"
threads="${BENCH_THREADS:-2}"
orderings="${BENCH_ORDERINGS:-20}"
corpus="${BENCH_CORPUS_TRACKS:-6}"
python=/usr/bin/python3

[ -x "$bench" ] || { echo "run_explain_bench: no $bench (cmake --build $build --target tagscope_bench_explain)" >&2; exit 2; }
[ -d "$shared/audio" ] || { echo "run_explain_bench: no reference clips at $shared/audio" >&2; exit 2; }

work="$(mktemp -d -t tagscope-explain-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# Tracks of 240 s and 600 s: the shared clips laid end to end (repeated), as FLAC.
for seconds in 240 600; do
  "$python" "$here/bench/make_bench_track.py" "$shared/audio" "$work/track_$seconds.flac" "$seconds"
done

echo "== speed: 4-minute track =="
nice -n 5 "$bench" speed --threads "$threads" --orderings "$orderings" "$work/track_240.flac"
echo
echo "== the same on a 10-minute track (peak RSS goal < 600 MB) =="
nice -n 5 "$bench" speed --threads "$threads" --orderings "$orderings" "$work/track_600.flac"
echo
echo "== faithfulness of the default method on real tracks (goal: beats >= 90% of random orderings) =="
tracks=("$shared"/audio/*.ogg "$here/resources/demo/demo_clip.ogg")
if [ "$corpus" -gt 0 ]; then
  # Packages of the corpus' test split: music the bundled student never heard.
  for pkg in colobot-common-sounds flare-game; do
    while IFS= read -r f; do tracks+=("$f"); done < <(
      { dpkg -L "$pkg" 2>/dev/null || true; } | grep -iE '/music/.*\.ogg$' | sort | head -n "$((corpus / 2))")
  done
fi
nice -n 5 "$bench" faithfulness --threads "$threads" --orderings "$orderings" "${tracks[@]}"
