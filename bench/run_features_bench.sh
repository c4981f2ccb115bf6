#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Times the perceptual features of a 4-minute track (made at run time from the clips in
# ../shared/audio, removed afterwards) beside its decode time.
#
#   bench/run_features_bench.sh [BUILD_DIR] [REPEATS] [SECONDS]
#
# BUILD_DIR holds bench/tagscope_bench_features (default: build). SECONDS (default 240, the
# 4-minute track of the goal) may be small to check the script quickly. Needs /usr/bin/python3 with
# torchaudio (Debian python3-torchaudio) to make the track.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${1:-$root/build}"
repeats="${2:-3}"
seconds="${3:-240}"
shared="${TAGSCOPE_SHARED:-$root/../shared}"
bench="$build/bench/tagscope_bench_features"

[ -x "$bench" ] || { echo "run_features_bench: $bench not found; build the tagscope_bench_features target" >&2; exit 1; }
shopt -s nullglob
clips=("$shared"/audio/*.ogg)
[ ${#clips[@]} -gt 0 ] || { echo "run_features_bench: no clips in $shared/audio" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
track="$tmp/track_${seconds}s.wav"
# NOTE: 16-bit WAV at 44.1 kHz stereo, like a ripped CD (torchaudio here cannot write FLAC or
# Ogg): the decode and the 2:1 conversion to the
# feature rate are both part of what a user waits for.
/usr/bin/python3 - "$track" "$seconds" "${clips[@]}" <<'PY'
import sys, torch, torchaudio
out, seconds, clips = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
parts = []
for c in clips:
    wav, sr = torchaudio.load(c)
    parts.append(torchaudio.functional.resample(wav.mean(dim=0, keepdim=True), sr, 44100))
mono = torch.cat(parts, dim=1)
need = int(seconds * 44100)
while mono.shape[1] < need:
    mono = torch.cat([mono, mono], dim=1)
mono = mono[:, :need]
stereo = torch.cat([mono, 0.9 * mono], dim=0)
torchaudio.save(out, stereo, 44100, encoding="PCM_S", bits_per_sample=16)
print(f"wrote {out}: {seconds:g} s, 44100 Hz stereo 16-bit WAV")
PY
echo "cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" "$track" "$repeats"
