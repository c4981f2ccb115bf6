# SPDX-License-Identifier: GPL-3.0-or-later
# A benchmark track: the shared CC-BY clips laid end to end (repeated), mono, cut to SECONDS,
# written as 16-bit FLAC.  Usage: make_bench_track.py AUDIO_FOLDER OUT.flac SECONDS
import glob, sys, torch, torchaudio
folder, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
parts, rate = [], None
for f in sorted(glob.glob(folder + "/*.ogg")):
    wav, sr = torchaudio.load(f)
    if rate is None: rate = sr
    if sr != rate: wav = torchaudio.functional.resample(wav, sr, rate)
    parts.append(wav.mean(0, keepdim=True))
track = torch.cat(parts, 1)
need = int(seconds * rate)
while track.shape[1] < need: track = torch.cat([track, track], 1)
torchaudio.save(out, track[:, :need], rate, format="flac", bits_per_sample=16)
