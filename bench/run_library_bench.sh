#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Library benchmark (issue 10), everything measured side by side in one run on this machine:
#  1. `tagscope-cli scan` of N four-minute stereo 44.1 kHz FLACs with the default model: tracks
#     per minute (goal >= 50 on 2 cores), and a plain `tag --jsonl` of the same folder.
#  2. End to end, whole processes, the same 4-minute track, same threads, same weights:
#     tagscope-cli `tag` vs the upstream Python models with torchaudio (bench/upstream_reference.py:
#     load, decode, resample, mel, chunks, model) for FCN, MusiCNN and CRNN. Speed-up = Python
#     wall time / tagscope wall time (goal >= 3).
#  3. Peak RSS (/usr/bin/time -v) of `tag` on a 10-minute track with each model and the default
#     model (goal < 600 MiB).
#
# Usage: bench/run_library_bench.sh [path/to/tagscope-cli]   (default: build/app/tagscope-cli)
# Environment: TAGSCOPE_SHARED (default ../shared), BENCH_THREADS (2), BENCH_TRACKS (12),
#   BENCH_MODELS (mtat_fcn mtat_musicnn mtat_crnn), BENCH_SECONDS (240, track length),
#   BENCH_LONG_SECONDS (600, the RSS track). A quick check of the script itself:
#   BENCH_TRACKS=2 BENCH_SECONDS=20 BENCH_LONG_SECONDS=30 bench/run_library_bench.sh
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cli="${1:-$here/build/app/tagscope-cli}"
shared="${TAGSCOPE_SHARED:-$here/../shared}"
threads="${BENCH_THREADS:-2}"
ntracks="${BENCH_TRACKS:-12}"
seconds="${BENCH_SECONDS:-240}"
long_seconds="${BENCH_LONG_SECONDS:-600}"
python=/usr/bin/python3
[ -x "$cli" ] || { echo "run_library_bench: no tagscope-cli at $cli" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run_library_bench: /usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }
[ -d "$shared/models/upstream" ] || { echo "run_library_bench: no reference folder at $shared" >&2; exit 2; }

work="$(mktemp -d -t tagscope-libbench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export TAGSCOPE_MODELS_DIR="$work/models" XDG_DATA_HOME="$work/data"
mkdir -p "$TAGSCOPE_MODELS_DIR" "$work/lib"

# Tracks: the shared clips end to end (stereo 44.1 kHz like a ripped CD), each rotated by a
# different offset so every file has different audio.
"$python" - "$shared/audio" "$work" "$ntracks" "$seconds" "$long_seconds" <<'PY'
import glob, sys, torch, torchaudio
folder, out, n, seconds, long_seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
parts = []
for f in sorted(glob.glob(folder + "/*.ogg")):
    wav, sr = torchaudio.load(f)
    parts.append(torchaudio.functional.resample(wav.mean(0, keepdim=True), sr, 44100))
base = torch.cat(parts, 1)
def track(seconds, shift):
    x = base
    while x.shape[1] < seconds * 44100: x = torch.cat([x, x], 1)
    x = torch.roll(x, shift * 44100, 1)[:, : seconds * 44100]
    return torch.cat([x, 0.9 * x], 0)
for i in range(n):
    torchaudio.save(f"{out}/lib/track{i:03d}.flac", track(seconds, 7 * i), 44100, format="flac", bits_per_sample=16)
torchaudio.save(f"{out}/long.flac", track(long_seconds, 0), 44100, format="flac", bits_per_sample=16)
PY
track="$work/lib/track000.flac"

timed() { # timed LOG CMD... -> prints "wall rss_MiB" ("- -" when the command failed)
  local log="$1"; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { echo "run_library_bench: failed: $*" >&2; tail -n 5 "$log" >&2; echo "- -"; return; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; w=s}
              /Maximum resident set size/ {r=$2/1024} END {printf "%.2f %.0f\n", w, r}' "$log"
}

echo "machine: $(nproc) cores, $threads threads; $ntracks tracks of $seconds s (stereo 44.1 kHz FLAC)"
read -r scan_wall scan_rss <<<"$(timed "$work/scan.log" "$cli" --threads "$threads" scan "$work/lib" --catalog "$work/cat.sqlite")"
read -r tag_wall tag_rss <<<"$(timed "$work/tag.log" "$cli" --threads "$threads" tag --jsonl "$work/lib")"
awk -v n="$ntracks" -v s="$scan_wall" -v t="$tag_wall" -v r="$scan_rss" -v q="$tag_rss" -v len="$seconds" 'BEGIN {
  printf "\n%-34s %8s %12s %9s\n", "default model, whole library", "wall_s", "tracks/min", "rss_MiB"
  printf "%-34s %8.2f %12.1f %9s   (goal >= 50 tracks/min for 240 s tracks)\n", "scan (catalog, hash, streaming)", s, 60*n/s, r
  printf "%-34s %8.2f %12.1f %9s\n", "tag --jsonl", t, 60*n/t, q }'

# Upstream models: imported for tagscope, run as they are by the Python reference.
models=()
for name in ${BENCH_MODELS:-mtat_fcn mtat_musicnn mtat_crnn}; do
  ckpt="$shared/models/upstream/$name.pth"
  [ -f "$ckpt" ] || { echo "run_library_bench: no $ckpt, skipped" >&2; continue; }
  "$cli" models import "$ckpt" --tags "$shared/tags/${name%%_*}_top50.txt" --out "$TAGSCOPE_MODELS_DIR" --name "$name" >/dev/null
  models+=("$name")
done

printf '\n%-24s %11s %10s %9s %14s   (same %s s track, %s threads)\n' model tagscope_s python_s speedup "rss_${long_seconds}s_MiB" "$seconds" "$threads"
for m in "${models[@]}" tagscope-mtt-student-v2; do
  read -r w _ <<<"$(timed "$work/$m.tag.log" "$cli" --model "$m" --threads "$threads" tag "$track")"
  read -r _ rl <<<"$(timed "$work/$m.rss.log" "$cli" --model "$m" --threads "$threads" tag "$work/long.flac")"
  py="-"; speedup="-"
  if [ "$m" != tagscope-mtt-student-v2 ]; then
    read -r py _ <<<"$(timed "$work/$m.py.log" "$python" "$here/bench/upstream_reference.py" "${m#*_}" \
      "$shared/models/upstream/$m.pth" "$track" "$threads" "${m%%_*}")"
    speedup="$(awk -v a="$w" -v b="$py" 'BEGIN {if (a > 0 && b > 0) printf "%.2fx", b / a; else print "-"}')"
  fi
  printf '%-24s %11s %10s %9s %14s\n' "$m" "$w" "$py" "$speedup" "$rl"
done
echo "(speedup = Python wall time / tagscope wall time, whole processes, goal >= 3x; RSS goal < 600 MiB)"
