#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the voice tracks of the noisy-student corpus: real recorded speech, for mixing into music
# windows (issue 12 item 2: the corpus has almost no sung music, and no redistributable sung
# recordings were found; see packages.tsv). Source: Debian's tuxpaint-stamps-default (GPL-2), whose
# stamps carry spoken descriptions recorded by volunteers in a dozen languages (*_desc_<lang>.ogg).
# Per language, the recordings (sorted by path) are joined into tracks of TRACK_SECONDS (60 s),
# 16 kHz mono, peak-normalised to -3 dBFS, at most MAX_TRACKS (8) per language.
#   build_voice_tracks.sh OUTPUT_DIR      (writes OUTPUT_DIR/<lang>_<n>.wav and OUTPUT_DIR/voices.tsv)
# Needs sox (with libsox-fmt-all for Ogg) and the package installed; installs both when missing.
set -eu
out=${1:?usage: build_voice_tracks.sh OUTPUT_DIR}
track_seconds=${TRACK_SECONDS:-60}
max_tracks=${MAX_TRACKS:-8}
stamps=/usr/share/tuxpaint/stamps
sh "$(dirname "$0")/install_corpus.sh" tuxpaint-stamps-default sox libsox-fmt-all
mkdir -p "$out"
list="$out/voices.tsv"
printf '# path\tlanguage\tseconds\tsource\n' > "$list.tmp"
# English descriptions have no language suffix (*_desc.ogg); the others end in _desc_<lang>.ogg.
langs=$(find "$stamps" -name '*_desc*.ogg' | sed -n 's/.*_desc_\([a-z][a-z]\)\.ogg$/\1/p' | sort | uniq -c |
        awk '$1 >= 60 {print $2}')
for lang in en $langs; do
    pattern="*_desc_$lang.ogg"
    [ "$lang" = en ] && pattern="*_desc.ogg"
    files=$(find "$stamps" -name "$pattern" | sort)
    n=0 batch="" batch_seconds=0
    for f in $files; do
        [ "$n" -ge "$max_tracks" ] && break
        d=$(soxi -D "$f" 2>/dev/null) || continue
        batch="$batch $f"
        batch_seconds=$(echo "$batch_seconds + $d" | bc)
        if [ "$(echo "$batch_seconds >= $track_seconds" | bc)" -eq 1 ]; then
            track="$out/${lang}_$n.wav"
            # The recordings differ in rate and channels: each is converted, then they are joined.
            parts="" i=0
            for part in $batch; do
                sox -V1 "$part" -r 16000 -c 1 -b 16 "$out/.part$i.wav"
                parts="$parts $out/.part$i.wav" i=$((i + 1))
            done
            # shellcheck disable=SC2086 # the parts are paths without spaces
            sox -V1 $parts "$track" trim 0 "$track_seconds" norm -3
            # shellcheck disable=SC2086
            rm -f $parts
            printf '%s\t%s\t%s\t%s\n' "$track" "$lang" "$track_seconds" "tuxpaint-stamps-default" >> "$list.tmp"
            n=$((n + 1)) batch="" batch_seconds=0
        fi
    done
done
mv "$list.tmp" "$list"
echo "build_voice_tracks: $(grep -vc '^#' "$list") tracks in $out" >&2
