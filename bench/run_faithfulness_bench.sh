#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Faithfulness of the default explanation on real tracks (issue 13): per track, the top tag's
# deletion/insertion curves against 20 random orderings; the share of random orderings that
# occlusion and the method shown by default beat; then the share of tracks on which the default
# method beats >= 90 % of them (goal: most tracks). Tracks: the 3 CC-BY clips, the demo clip,
# and tracks of the corpus' test-split packages (music the bundled student never heard), when
# installed (tools/corpus/install_corpus.sh). Figures are quality, not speed: any machine will do.
#
# Usage: bench/run_faithfulness_bench.sh [build-dir]   (default: build)
# Environment: TAGSCOPE_SHARED (default ../shared), BENCH_THREADS (2), BENCH_ORDERINGS (20),
#              BENCH_CORPUS_TRACKS (6, half from each package; 0: none), BENCH_EXCERPT (90: seconds
#              of each track from 30 s in; 0: whole tracks), BENCH_SEGMENT (1: segment seconds).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
bench="$build/bench/tagscope_bench_explain"
shared="${TAGSCOPE_SHARED:-$here/../shared}"
threads="${BENCH_THREADS:-2}"
orderings="${BENCH_ORDERINGS:-20}"
corpus="${BENCH_CORPUS_TRACKS:-6}"
excerpt="${BENCH_EXCERPT:-90}"
segment="${BENCH_SEGMENT:-1}"

[ -x "$bench" ] || { echo "run_faithfulness_bench: no $bench (cmake --build $build --target tagscope_bench_explain)" >&2; exit 2; }

tracks=("$shared"/audio/*.ogg "$here/resources/demo/demo_clip.ogg")
if [ "$corpus" -gt 0 ]; then
  for pkg in colobot-common-sounds flare-game; do
    while IFS= read -r f; do tracks+=("$f"); done < <(
      { dpkg -L "$pkg" 2>/dev/null || true; } | grep -iE '/music/.*\.ogg$' | sort | head -n "$((corpus / 2))")
  done
fi
nice -n 5 "$bench" faithfulness --threads "$threads" --orderings "$orderings" --segment "$segment" \
  --excerpt "$excerpt" --offset 30 "${tracks[@]}"
