#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reference side of bench/run_frontend_bench.sh: the same front end as bench_frontend
(decode, resample to 16 kHz, sota96 MelSpectrogram + AmplitudeToDB) with torchaudio, as the
upstream taggers' Python code does it. Prints "RESULT <stage> <seconds>" (best of the repeats).

  frontend_torchaudio.py time TRACK [--repeats N] [--threads T]
  frontend_torchaudio.py make-track OUT --seconds S CLIP...   (concatenates clips, writes OGG)

Needs Debian's python3-torchaudio (/usr/bin/python3). Development tool only.
"""
import argparse
import statistics
import sys
import time

import torch
import torchaudio


def make_track(args):
    parts, rate = [], None
    for clip in args.clips:
        wav, sr = torchaudio.load(clip)
        if rate is None:
            rate = sr
        elif sr != rate:
            wav = torchaudio.functional.resample(wav, sr, rate)
        parts.append(wav.mean(dim=0, keepdim=True))
    track = torch.cat(parts, dim=1)
    want = int(args.seconds * rate)
    if track.shape[1] < want:
        sys.exit(f"make-track: the clips hold {track.shape[1] / rate:.1f} s, need {args.seconds} s")
    torchaudio.save(args.out, track[:, :want], rate, format="ogg")
    print(f"wrote {args.out}: {args.seconds} s at {rate} Hz (OGG Vorbis)")


def report(stage, runs):
    print(f"RESULT {stage} {min(runs):.6f}")
    print(f"  {stage:<22} best {min(runs) * 1e3:8.1f} ms   median {statistics.median(runs) * 1e3:8.1f} ms"
          f"   ({len(runs)} runs)")


def time_front_end(args):
    torch.set_num_threads(args.threads)
    info = torchaudio.info(args.track)
    print(f"torchaudio {torchaudio.__version__} / torch {torch.__version__}, {torch.get_num_threads()} thread(s): "
          f"{info.num_frames / info.sample_rate:.1f} s at {info.sample_rate} Hz -> 16000 Hz, sota96 mel dB")
    # NOTE: transforms are built once, outside the timed loop, as a tagger would keep them;
    # bench_frontend likewise builds its MelSpectrogram once.
    resample = torchaudio.transforms.Resample(info.sample_rate, 16000)
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=512, f_min=0.0, f_max=8000.0, n_mels=96)
    to_db = torchaudio.transforms.AmplitudeToDB()

    decode, decode_resample, mel_runs, total = [], [], [], []
    with torch.inference_mode():
        for _ in range(args.repeats):
            start = time.perf_counter()
            wav, sr = torchaudio.load(args.track)
            wav = wav.mean(dim=0)
            decode.append(time.perf_counter() - start)

            start = time.perf_counter()
            wav, sr = torchaudio.load(args.track)
            wav = resample(wav.mean(dim=0))
            decode_resample.append(time.perf_counter() - start)
            mel_start = time.perf_counter()
            db = to_db(mel(wav))
            mel_runs.append(time.perf_counter() - mel_start)
            total.append(time.perf_counter() - start)
    report("decode", decode)
    report("decode+resample", decode_resample)
    report("mel", mel_runs)
    report("total", total)
    print(f"  ({db.shape[-1]} mel frames)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("time", help="time the torchaudio front end on TRACK")
    t.add_argument("track")
    t.add_argument("--repeats", type=int, default=5)
    t.add_argument("--threads", type=int, default=1)
    m = sub.add_parser("make-track", help="concatenate clips into one OGG file")
    m.add_argument("out")
    m.add_argument("--seconds", type=float, required=True)
    m.add_argument("clips", nargs="+")
    args = parser.parse_args()
    if args.command == "time":
        time_front_end(args)
    else:
        make_track(args)


if __name__ == "__main__":
    main()
