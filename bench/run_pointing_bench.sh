#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Pointing benchmark (issue 13): tracks spliced from passages of clearly different music; each
# passage's own tag (the tag its source scores highest on against the others) is explained on
# the whole track, and the share of the evidence inside the right passage is printed per method
# (chance = 1 / passages). Goal: >= 0.8 for the default method.
# Sets: the 3 CC-BY clips (jazz / classical / sung folk), then, when the corpus packages are
# installed (tools/corpus/install_corpus.sh), splices of corpus tracks from different games.
#
# Usage: bench/run_pointing_bench.sh [build-dir]       (default: build)
# Environment: TAGSCOPE_SHARED (default ../shared), BENCH_THREADS (2), BENCH_PASSAGE (10 s),
#              BENCH_CURVES (1: compute faithfulness curves so the default method is the most
#              faithful one; 0: occlusion is the default).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
bench="$build/bench/tagscope_bench_explain"
shared="${TAGSCOPE_SHARED:-$here/../shared}"
threads="${BENCH_THREADS:-2}"
passage="${BENCH_PASSAGE:-10}"
curves=()
[ "${BENCH_CURVES:-1}" = 1 ] && curves=(--curves)

[ -x "$bench" ] || { echo "run_pointing_bench: no $bench (cmake --build $build --target tagscope_bench_explain)" >&2; exit 2; }

run() { echo "-- $1 (offset $2 s)"; shift 2; nice -n 5 "$bench" pointing --threads "$threads" --passage "$passage" "${curves[@]}" "$@"; }

clips=("$shared/audio/Kevin_MacLeod_-_Vibe_Ace.ogg"
       "$shared/audio/Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.ogg"
       "$shared/audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg")
for offset in 20 40; do run "CC-BY clips: jazz / classical / folk" "$offset" --offset "$offset" "${clips[@]}"; done

pick() { { dpkg -L "$1" 2>/dev/null || true; } | grep -iE '/music/.*\.ogg$' | sort | sed -n "${2}p"; }
sets=("colobot-common-sounds:3 flare-game:2 hedgewars-data:5"
      "flare-game:5 supertux-data:4 wesnoth-1.16-music:1"
      "colobot-common-sounds:8 hedgewars-data:12 wesnoth-1.16-music:3")
for set in "${sets[@]}"; do
  files=()
  for item in $set; do f="$(pick "${item%%:*}" "${item##*:}")"; [ -n "$f" ] && files+=("$f"); done
  [ "${#files[@]}" -ge 2 ] && run "corpus: $set" 20 --offset 20 "${files[@]}"
done
