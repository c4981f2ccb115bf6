#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the corpus file list: a TSV "path<TAB>package<TAB>duration_seconds<TAB>split" of every
# audio file of the packages in tools/corpus/packages.tsv that lasts at least MIN_SECONDS (30)
# and is music: files matching a pattern of tools/corpus/not_music.tsv (sound effects) are left out.
# Durations come from the files' headers via `tagscope-cli train corpus` (libsndfile, so Opus
# works too). Usage: build_file_list.sh OUTPUT.tsv [path/to/tagscope-cli]
set -eu
here=$(dirname "$0")
out=${1:?usage: build_file_list.sh OUTPUT.tsv [path/to/tagscope-cli]}
cli=${2:-tagscope-cli}
min_seconds=${MIN_SECONDS:-30}
mkdir -p "$(dirname "$out")"
candidates="$out.candidates"
# not_music FILE: true when FILE matches a pattern of not_music.tsv.
not_music() {
    grep -v '^#' "$here/not_music.tsv" | {
        while IFS="$(printf '\t')" read -r pattern _reason; do
            [ -n "$pattern" ] || continue
            # shellcheck disable=SC2254 # the pattern is a glob on purpose
            case "$1" in $pattern) exit 0 ;; esac
        done
        exit 1
    }
}
: > "$candidates"
grep -v '^#' "$here/packages.tsv" | while IFS="$(printf '\t')" read -r pkg split _licence; do
    [ -n "$pkg" ] || continue
    dpkg -L "$pkg" | grep -E '\.(ogg|opus|flac|wav|mp3)$' | sort | while read -r file; do
        [ -f "$file" ] || continue
        if not_music "$file"; then
            echo "not music, left out: $file" >&2
            continue
        fi
        printf '%s\t%s\t%s\n' "$file" "$pkg" "$split" >> "$candidates"
    done
done
"$cli" train corpus --candidates "$candidates" --min-seconds "$min_seconds" --output "$out"
rm -f "$candidates"
