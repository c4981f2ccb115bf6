#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Library benchmark (issue 10): measured side by side in one run on this machine.
#  1. `tagscope-cli scan` of N four-minute FLACs with the default model: tracks per minute
#     (goal >= 50 on 2 cores), and the same with a plain `tag` of the folder for comparison.
#  2. End to end, whole processes, one 4-minute track, same threads and weights: tagscope-cli
#     `tag` vs Debian's Python torch + torchaudio running the upstream FCN (load, decode,
#     resample, mel, chunks, model). Ratio tagscope / Python (goal <= 0.33).
#  3. Peak RSS of `tag` on a 10-minute track with every imported upstream model and the default
#     model (goal < 600 MB).
#
# Usage: bench/run_library_bench.sh [path/to/tagscope-cli]   (default: build/app/tagscope-cli)
# Environment: TAGSCOPE_SHARED (default ../shared), BENCH_THREADS (2), BENCH_TRACKS (12),
#              BENCH_MODELS (default: mtat_fcn mtat_musicnn mtat_crnn).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cli="${1:-$here/build/app/tagscope-cli}"
shared="${TAGSCOPE_SHARED:-$here/../shared}"
threads="${BENCH_THREADS:-2}"
ntracks="${BENCH_TRACKS:-12}"
python=/usr/bin/python3
[ -x "$cli" ] || { echo "run_library_bench: no tagscope-cli at $cli" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run_library_bench: /usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }

work="$(mktemp -d -t tagscope-libbench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export TAGSCOPE_MODELS_DIR="$work/models" XDG_DATA_HOME="$work/data"
mkdir -p "$TAGSCOPE_MODELS_DIR" "$work/lib"

# Tracks: the shared clips end to end (stereo 44.1 kHz like a ripped CD), each variant rotated by
# a different offset so every file has different audio.
"$python" - "$shared/audio" "$work" "$ntracks" <<'EOF'
import glob, sys, torch, torchaudio
folder, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
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
    torchaudio.save(f"{out}/lib/track{i:03d}.flac", track(240, 7 * i), 44100, format="flac", bits_per_sample=16)
torchaudio.save(f"{out}/ten_minutes.flac", track(600, 0), 44100, format="flac", bits_per_sample=16)
EOF
track="$work/lib/track000.flac"

timed() { # timed LOG CMD... -> prints "wall rss_MiB"
  local log="$1"; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { echo "run_library_bench: failed: $*" >&2; tail -n 5 "$log" >&2; echo "- -"; return; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; w=s}
              /Maximum resident set size/ {r=$2/1024} END {printf "%.2f %.0f\n", w, r}' "$log"
}

echo "machine: $(nproc) cores, $threads threads; $ntracks tracks of 240 s (stereo 44.1 kHz FLAC)"
read -r scan_wall scan_rss <<<"$(timed "$work/scan.log" "$cli" --threads "$threads" scan "$work/lib" --catalog "$work/cat.sqlite")"
read -r tag_wall tag_rss <<<"$(timed "$work/tag.log" "$cli" --threads "$threads" tag --jsonl "$work/lib")"
awk -v n="$ntracks" -v s="$scan_wall" -v t="$tag_wall" -v r="$scan_rss" 'BEGIN {
  printf "\n%-34s %8s %12s %9s\n", "default model, whole library", "wall_s", "tracks/min", "rss_MiB"
  printf "%-34s %8.2f %12.1f %9s   (goal >= 50 tracks/min)\n", "scan (catalog, hash, decode-ahead)", s, 60*n/s, r
  printf "%-34s %8.2f %12.1f\n", "tag --jsonl", t, 60*n/t }'

# Upstream models for the ratio and RSS rows.
models=()
for name in ${BENCH_MODELS:-mtat_fcn mtat_musicnn mtat_crnn}; do
  ckpt="$shared/models/upstream/$name.pth"
  [ -f "$ckpt" ] || continue
  "$cli" models import "$ckpt" --tags "$shared/tags/${name%%_*}_top50.txt" --out "$TAGSCOPE_MODELS_DIR" --name "$name" >/dev/null
  models+=("$name")
done

# Python reference, whole process (imports included, like a user's script): upstream FCN.
cat >"$work/ref_fcn.py" <<'EOF'
import sys, torch, torchaudio
import torch.nn as nn
path, fcn_path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
wav, sr = torchaudio.load(path)
wav = torchaudio.functional.resample(wav.mean(0), sr, 16000)
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=512, f_min=0.0, f_max=8000.0, n_mels=96)
to_db = torchaudio.transforms.AmplitudeToDB()
L = 464000
n = (wav.shape[0] + L - 1) // L
x = torch.nn.functional.pad(wav, (0, n * L - wav.shape[0])).reshape(n, L)
class Block(nn.Module):
    def __init__(self, i, o, pool):
        super().__init__()
        self.conv, self.bn, self.relu, self.mp = nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(pool)
    def forward(self, x): return self.mp(self.relu(self.bn(self.conv(x))))
class FCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.spec_bn = nn.BatchNorm2d(1)
        self.layer1, self.layer2, self.layer3 = Block(1, 64, (2, 4)), Block(64, 128, (2, 4)), Block(128, 128, (2, 4))
        self.layer4, self.layer5 = Block(128, 128, (3, 5)), Block(128, 64, (4, 4))
        self.dense = nn.Linear(64, 50)
    def forward(self, x):
        x = self.spec_bn(x)
        for l in (self.layer1, self.layer2, self.layer3, self.layer4, self.layer5): x = l(x)
        return torch.sigmoid(self.dense(x.view(x.size(0), -1)))
net = FCN()
net.load_state_dict({k: v for k, v in torch.load(fcn_path, map_location="cpu").items() if not k.startswith("spec.")})
net.eval()
with torch.inference_mode():
    spec = to_db(mel(x)).unsqueeze(1)
    out = torch.cat([net(spec[i:i + 8]) for i in range(0, n, 8)]).mean(0)
print(out[:3].tolist())
EOF
printf '\n%-24s %10s %10s %8s %14s   (same 240 s track, %s threads)\n' model tagscope_s python_s ratio rss10min_MiB "$threads"
for m in "${models[@]}" tagscope-mtt-student-v1; do
  read -r w _ <<<"$(timed "$work/$m.tag.log" "$cli" --model "$m" --threads "$threads" tag "$track")"
  read -r _ r10 <<<"$(timed "$work/$m.rss.log" "$cli" --model "$m" --threads "$threads" tag "$work/ten_minutes.flac")"
  py="-"; ratio="-"
  if [ "$m" = mtat_fcn ]; then
    read -r py _ <<<"$(timed "$work/ref.log" "$python" "$work/ref_fcn.py" "$track" "$shared/models/upstream/mtat_fcn.pth" "$threads")"
    ratio="$(awk -v a="$w" -v b="$py" 'BEGIN {printf "%.2f", a / b}')"
  fi
  printf '%-24s %10s %10s %8s %14s\n' "$m" "$w" "$py" "$ratio" "$r10"
done
echo "(ratio = tagscope / Python, goal <= 0.33; Python reference only for FCN here; RSS goal < 600 MiB)"
