#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Compares Tagscope's spectrogram front end (decode + resample to 16 kHz + sota96 mel dB, C++)
# with the same work in torchaudio, on the same 4-minute track in the same run, and prints
# both times and their ratio.
#
#   bench/run_frontend_bench.sh [BUILD_DIR] [REPEATS]
#
# BUILD_DIR holds bench/bench_frontend (default: build). The track is made at run time from
# the clips in ../shared/audio (TAGSCOPE_SHARED overrides) in a temporary directory that is
# removed afterwards. Needs /usr/bin/python3 with torchaudio (Debian python3-torchaudio).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${1:-$root/build}"
repeats="${2:-5}"
shared="${TAGSCOPE_SHARED:-$root/../shared}"
python=/usr/bin/python3
bench="$build/bench/bench_frontend"

[ -x "$bench" ] || { echo "run_frontend_bench: $bench not found; build the bench_frontend target" >&2; exit 1; }
"$python" -c "import torchaudio" 2>/dev/null || { echo "run_frontend_bench: $python has no torchaudio" >&2; exit 1; }
shopt -s nullglob
clips=("$shared"/audio/*.ogg)
[ ${#clips[@]} -gt 0 ] || { echo "run_frontend_bench: no clips in $shared/audio" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
track="$tmp/track_4min.ogg"
"$python" "$here/frontend_torchaudio.py" make-track "$track" --seconds 240 "${clips[@]}"

result() { awk -v s="$2" '$1 == "RESULT" && $2 == s { print $3 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
"$bench" "$track" "$repeats" | tee "$tmp/cpp.txt"
for threads in 1 2; do
  echo
  "$python" "$here/frontend_torchaudio.py" time "$track" --repeats "$repeats" --threads "$threads" | tee "$tmp/py$threads.txt"
done

echo
echo "Summary (best of $repeats runs; ratio = torchaudio time / C++ time, > 1 means C++ is faster)"
printf '  %-16s %10s %14s %8s %14s %8s\n' stage "C++ [s]" "torch 1T [s]" ratio "torch 2T [s]" ratio
# C++ stage : torchaudio stage it is compared with. "sinc" = native decode + dsp::SincResampler
# (torchaudio's own filter) instead of decodeAudio's libsamplerate best-quality converter;
# "fastest" = decodeAudio with libsamplerate's SRC_SINC_FASTEST (ResampleQuality::Fastest).
for pair in decode:decode decode+resample:decode+resample mel:mel total:total \
            decode+sinc:decode+resample total_sinc:total \
            decode+fastest:decode+resample total_fastest:total; do
  cs="${pair%%:*}" ps="${pair#*:}"
  c="$(result "$tmp/cpp.txt" "$cs")"
  p1="$(result "$tmp/py1.txt" "$ps")"
  p2="$(result "$tmp/py2.txt" "$ps")"
  printf '  %-16s %10.4f %14.4f %8s %14.4f %8s\n' "$cs" "$c" "$p1" "$(ratio "$p1" "$c")" "$p2" "$(ratio "$p2" "$c")"
done
