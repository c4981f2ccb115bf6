#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark of `tagscope-cli tag` on a 4-minute real track with each imported upstream model and
# the bundled student:
# wall time, peak RSS (/usr/bin/time -v), and from --timings the seconds of the streamed decode +
# model per file and of the decode thread alone (it overlaps the model). As a reference measured
# in the same run, Debian's Python torch (/usr/bin/python3, torchaudio) runs the upstream FCN on
# the same track (bench/upstream_reference.py: decode+resample, mel and model stage times).
#
# Usage: bench/run_cli_bench.sh [path/to/tagscope-cli]     (default: build/app/tagscope-cli)
# Environment: TAGSCOPE_SHARED (default ../shared), BENCH_THREADS (default 2),
#              BENCH_MODELS (default: every models/upstream/*.pth), BENCH_SECONDS (default 240).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cli="${1:-$here/build/app/tagscope-cli}"
shared="${TAGSCOPE_SHARED:-$here/../shared}"
threads="${BENCH_THREADS:-2}"
seconds="${BENCH_SECONDS:-240}"
python=/usr/bin/python3

[ -x "$cli" ] || { echo "run_cli_bench: no tagscope-cli at $cli (build it or pass its path)" >&2; exit 2; }
[ -d "$shared/models/upstream" ] || { echo "run_cli_bench: no reference folder at $shared" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run_cli_bench: /usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }

work="$(mktemp -d -t tagscope-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export TAGSCOPE_MODELS_DIR="$work/models" XDG_DATA_HOME="$work/data"
mkdir -p "$TAGSCOPE_MODELS_DIR"

# 1. A 4-minute track: the shared clips laid end to end, cut to $seconds, as FLAC.
track="$work/track.flac"
"$python" "$here/bench/make_bench_track.py" "$shared/audio" "$track" "$seconds"

# 2. Import the upstream models.
models=()
for ckpt in ${BENCH_MODELS:-"$shared"/models/upstream/*.pth}; do
  name="$(basename "$ckpt" .pth)"
  dataset="${name%%_*}"
  "$cli" models import "$ckpt" --tags "$shared/tags/${dataset}_top50.txt" --out "$TAGSCOPE_MODELS_DIR" \
    --name "$name" >/dev/null
  models+=("$name")
done
# The bundled student (models/) is found after the imported ones; benchmark it beside them.
[ -f "$here/models/tagscope_mtt_student.json" ] && models+=("tagscope-mtt-student-v2")

# 3. Reference: the upstream FCN as a Python user runs it (bench/upstream_reference.py, shared
#    with run_library_bench.sh): torchaudio decode + resample, torchaudio mel, FCN forward.
ref="$("$python" "$here/bench/upstream_reference.py" fcn "$shared/models/upstream/mtat_fcn.pth" "$track" "$threads" mtat 2>/dev/null)"
read -r ref_decode ref_mel ref_fcn <<<"$ref"

# 4. tagscope-cli on each model.
printf '\n%s s track, %s threads, %s\n' "$seconds" "$threads" "$(nproc) cores"
printf '%-24s %8s %9s %11s %10s\n' model "wall_s" "rss_MiB" streamed_s decode_s
for m in "${models[@]}"; do
  log="$work/$m.log"
  /usr/bin/time -v "$cli" --model "$m" --threads "$threads" --timings tag "$track" >/dev/null 2>"$log" || {
    echo "run_cli_bench: $m failed:" >&2; tail -n 5 "$log" >&2; continue; }
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")"
  rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")"
  timings="$(grep -m1 'timings:' "$log" || true)"
  streamed="$(sed -n 's/.*streamed together \([0-9.]*\) s.*/\1/p' <<<"$timings")"
  dec="$(sed -n 's/.*decode thread \([0-9.]*\) s.*/\1/p' <<<"$timings")"
  printf '%-24s %8.2f %9s %11s %10s\n' "$m" "$wall" "$rss" "${streamed:--}" "${dec:--}"
  if [ "$m" = mtat_fcn ]; then fcn_wall="$wall"; fi
done

printf '\nreference (Python torch / torchaudio, upstream FCN, same track, same threads): decode+resample %s s, mel %s s, FCN %s s\n' \
  "$ref_decode" "$ref_mel" "$ref_fcn"
if [ -n "${fcn_wall:-}" ]; then
  awk -v w="$fcn_wall" -v a="$ref_decode" -v b="$ref_mel" -v c="$ref_fcn" 'BEGIN {
    printf "mtat_fcn: tagscope whole process %.2f s vs reference stages %.2f s (ratio %.2f, < 1 = tagscope faster)\n", w, a + b + c, w / (a + b + c) }'
fi
