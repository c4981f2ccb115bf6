#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark of `tagscope-cli tag` on a 4-minute real track with each imported upstream model and
# the bundled student:
# wall time, peak RSS (/usr/bin/time -v) and the seconds spent decoding, in the mel front end and
# in the model (--timings). As a reference measured in the same run, Debian's Python torch
# (/usr/bin/python3, torchaudio) decodes the same file, computes the same mel and runs the
# upstream FCN on the same chunks; the table prints tagscope / reference ratios for those stages.
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
[ -f "$here/models/tagscope_mtt_student.json" ] && models+=("tagscope-mtt-student-v1")

# 3. Reference: torchaudio decode + resample, torchaudio mel (same config), upstream FCN forward.
ref="$("$python" - "$track" "$shared/models/upstream/mtat_fcn.pth" "$threads" <<'EOF'
import sys, time, torch, torchaudio
import torch.nn as nn
path, fcn_path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
t0 = time.perf_counter()
wav, sr = torchaudio.load(path)
wav = torchaudio.functional.resample(wav.mean(0), sr, 16000)
t1 = time.perf_counter()
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=512, f_min=0.0, f_max=8000.0, n_mels=96)
to_db = torchaudio.transforms.AmplitudeToDB()
L = 464000
n = (wav.shape[0] + L - 1) // L
x = torch.nn.functional.pad(wav, (0, n * L - wav.shape[0])).reshape(n, L)
with torch.inference_mode():
    spec = to_db(mel(x)).unsqueeze(1)
t2 = time.perf_counter()
class Block(nn.Module):  # upstream sota-music-tagging-models Conv_2d
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
sd = {k: v for k, v in torch.load(fcn_path, map_location="cpu").items() if not k.startswith("spec.")}
net.load_state_dict(sd)
net.eval()
with torch.inference_mode():
    for i in range(0, n, 8): net(spec[i:i + 8])
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f}")
EOF
)"
read -r ref_decode ref_mel ref_fcn <<<"$ref"

# 4. tagscope-cli on each model.
printf '\n%s s track, %s threads, %s\n' "$seconds" "$threads" "$(nproc) cores"
printf '%-24s %8s %9s %8s %8s %8s %7s\n' model "wall_s" "rss_MiB" decode_s mel_s model_s other_s
for m in "${models[@]}"; do
  log="$work/$m.log"
  /usr/bin/time -v "$cli" --model "$m" --threads "$threads" --timings tag "$track" >/dev/null 2>"$log" || {
    echo "run_cli_bench: $m failed:" >&2; tail -n 5 "$log" >&2; continue; }
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")"
  rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")"
  timings="$(grep -m1 'timings:' "$log" || true)"
  stage() { sed -n "s/.* $1 \([0-9.]*\) s.*/\1/p" <<<"$timings" | head -n1; }
  dec="$(stage decode)"; mel="$(stage mel)"; mod="$(stage model)"
  other="$(awk -v w="$wall" -v a="${dec:-0}" -v b="${mel:-0}" -v c="${mod:-0}" 'BEGIN {printf "%.2f", w-a-b-c}')"
  printf '%-24s %8.2f %9s %8s %8s %8s %7s\n' "$m" "$wall" "$rss" "${dec:--}" "${mel:--}" "${mod:--}" "$other"
  if [ "$m" = mtat_fcn ]; then fcn_dec="$dec"; fcn_mel="$mel"; fcn_mod="$mod"; fi
done

printf '\nreference (Python torch 1.13 / torchaudio, same track, same threads): decode+resample %s s, mel %s s, FCN %s s\n' \
  "$ref_decode" "$ref_mel" "$ref_fcn"
if [ -n "${fcn_mod:-}" ]; then
  awk -v a="$fcn_dec" -v b="$ref_decode" -v c="$fcn_mel" -v d="$ref_mel" -v e="$fcn_mod" -v f="$ref_fcn" 'BEGIN {
    printf "ratio tagscope/reference (mtat_fcn): decode %.2f, mel %.2f, model %.2f  (< 1 = tagscope faster)\n",
      a / b, (d > 0 ? c / d : 0), e / f }'
fi
