#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plans voice mixtures for the teacher cache: a voice track (build_voice_tracks.sh) with a music
window of a train file under it, the music 0-6 dB down, so the voice leads as in sung music.
The teachers label each mixture (`tagscope-cli train cache --mixtures 1 --mixture-list PLAN`).
Writes the mixture-list TSV of `train cache` (first, first_start, second, second_start, gain_db).
Music is drawn package first, then file (so large packages do not dominate), train split only.
  plan_voice_mixtures.py VOICES.tsv CORPUS.tsv COUNT OUT.tsv [--seed N]
"""
import argparse
import random
import sys

WINDOW = 29.0  # seconds: the teachers' window (kWindowSamples / 16 kHz)


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("voices")
    p.add_argument("corpus")
    p.add_argument("count", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--max-attenuation-db", type=float, default=6.0)
    a = p.parse_args()
    voices = [(row[0], float(row[2])) for row in read_tsv(a.voices) if float(row[2]) >= WINDOW]
    music = {}
    for row in read_tsv(a.corpus):
        path, package, seconds, split = row[:4]
        if split == "train" and float(seconds) >= WINDOW + 1:
            music.setdefault(package, []).append((path, float(seconds)))
    if not voices or not music:
        sys.exit("plan_voice_mixtures: need voice tracks of >= 29 s and train music files")
    rng = random.Random(a.seed)
    packages = sorted(music)
    rows = []
    for _ in range(a.count):
        voice, voice_seconds = rng.choice(voices)
        path, seconds = rng.choice(music[rng.choice(packages)])
        voice_start = rng.randint(0, int(voice_seconds - WINDOW))
        music_start = rng.randint(0, int(seconds - WINDOW) - 1)
        gain = -rng.uniform(0.0, a.max_attenuation_db)
        # The voice is the first window: the mixture is labelled (and keyed) as that window.
        rows.append(f"{voice}\t{voice_start}\t{path}\t{music_start}\t{gain:.2f}\n")
    with open(a.out, "w", encoding="utf-8") as f:
        f.writelines(rows)
    print(f"plan_voice_mixtures: {len(rows)} mixtures of {len(voices)} voice tracks and "
          f"{sum(len(v) for v in music.values())} train files of {len(packages)} packages -> {a.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
