#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Reproduces resources/demo/demo_clip.ogg, the 30-second demo excerpt bundled with Tagscope,
# from Debian's warzone2100-music package (Martin Severn, "Track 3", Warzone 2100 original
# soundtrack, GPL-2+). See resources/demo/demo_clip.txt for the attribution and licence.
#
# Not run by CI: the clip is committed. Run it by hand when the excerpt has to be rebuilt:
#   tools/make_demo_clip.sh [output.ogg]      (default: resources/demo/demo_clip.ogg)
# It installs warzone2100-music (about 90 MB) when missing, compiles a small libsndfile +
# libsamplerate program (both are Tagscope build dependencies) and writes the excerpt:
#   source   /usr/share/games/warzone2100/music/albums/original_soundtrack/track3.opus
#   excerpt  118.0 s to 148.0 s of the track (a build-up, then the full band enters at ~138.4 s)
#   output   Ogg Vorbis, stereo, 44100 Hz, VBR quality 0.4; 0.05 s fade-in, 1.5 s fade-out
set -euo pipefail

readonly START_SECONDS=118.0
readonly LENGTH_SECONDS=30.0
readonly PACKAGE=warzone2100-music
readonly EXPECTED_VERSION=4.3.3-3
readonly SOURCE=/usr/share/games/warzone2100/music/albums/original_soundtrack/track3.opus

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
output="${1:-$here/../resources/demo/demo_clip.ogg}"

if ! dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "make_demo_clip: installing $PACKAGE" >&2
  $SUDO apt-get install -y -qq --no-install-recommends "$PACKAGE" >&2
fi
version="$(dpkg-query -W -f='${Version}' "$PACKAGE")"
if [ "$version" != "$EXPECTED_VERSION" ]; then
  echo "make_demo_clip: warning: $PACKAGE is $version, the committed clip came from $EXPECTED_VERSION" >&2
fi
[ -f "$SOURCE" ] || { echo "make_demo_clip: $SOURCE not found" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/excerpt.cpp" <<'CPP'
// Cuts [start, start + length) seconds out of an audio file, resamples it to 44100 Hz with
// libsamplerate's best sinc converter, fades the ends and writes Ogg Vorbis with tags.
#include <sndfile.h>
#include <samplerate.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 5) { std::fprintf(stderr, "usage: excerpt IN OUT START LENGTH\n"); return 2; }
    const double start = std::atof(argv[3]), length = std::atof(argv[4]);
    const int outRate = 44100;
    SF_INFO in{};
    SNDFILE* src = sf_open(argv[1], SFM_READ, &in);
    if (!src) { std::fprintf(stderr, "%s: %s\n", argv[1], sf_strerror(nullptr)); return 1; }
    const sf_count_t first = sf_count_t(std::llround(start * in.samplerate));
    const sf_count_t frames = sf_count_t(std::llround(length * in.samplerate));
    if (sf_seek(src, first, SEEK_SET) != first) { std::fprintf(stderr, "seek failed\n"); return 1; }
    std::vector<float> pcm(size_t(frames) * in.channels);
    if (sf_readf_float(src, pcm.data(), frames) != frames) { std::fprintf(stderr, "short read\n"); return 1; }
    sf_close(src);

    const long outFrames = long(std::llround(length * outRate));
    std::vector<float> out(size_t(outFrames) * in.channels);
    SRC_DATA d{};
    d.data_in = pcm.data();
    d.input_frames = long(frames);
    d.data_out = out.data();
    d.output_frames = outFrames;
    d.src_ratio = double(outRate) / in.samplerate;
    if (int e = src_simple(&d, SRC_SINC_BEST_QUALITY, in.channels)) { std::fprintf(stderr, "%s\n", src_strerror(e)); return 1; }
    out.resize(size_t(d.output_frames_gen) * in.channels);

    const long n = d.output_frames_gen, fadeIn = long(0.05 * outRate), fadeOut = long(1.5 * outRate);
    float peak = 0.0f;
    for (long i = 0; i < n; ++i) {
        const float g = std::min({1.0f, float(i) / fadeIn, float(n - 1 - i) / fadeOut});
        for (int c = 0; c < in.channels; ++c) {
            float& v = out[size_t(i) * in.channels + c];
            v *= g;
            peak = std::max(peak, std::abs(v));
        }
    }
    if (peak > 0.99f) for (float& v : out) v *= 0.99f / peak; // never clip

    SF_INFO info{};
    info.samplerate = outRate;
    info.channels = in.channels;
    info.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    SNDFILE* dst = sf_open(argv[2], SFM_WRITE, &info);
    if (!dst) { std::fprintf(stderr, "%s: %s\n", argv[2], sf_strerror(nullptr)); return 1; }
    double quality = 0.4;
    sf_command(dst, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    sf_set_string(dst, SF_STR_TITLE, "Track 3 (excerpt 118-148 s)");
    sf_set_string(dst, SF_STR_ARTIST, "Martin Severn");
    sf_set_string(dst, SF_STR_ALBUM, "Warzone 2100 Original Soundtrack");
    sf_set_string(dst, SF_STR_COPYRIGHT, "1999-2004 Eidos Interactive, 2005-2013 Warzone 2100 Project; GPL-2+");
    sf_set_string(dst, SF_STR_COMMENT, "Excerpt of warzone2100-music (Debian) made by tools/make_demo_clip.sh");
    if (sf_writef_float(dst, out.data(), n) != n) { std::fprintf(stderr, "write failed\n"); return 1; }
    sf_close(dst);
    std::printf("wrote %ld frames, %d channels, %d Hz, peak %.3f\n", n, in.channels, outRate, peak);
    return 0;
}
CPP
# shellcheck disable=SC2046
g++ -std=c++17 -O2 "$work/excerpt.cpp" -o "$work/excerpt" $(pkg-config --cflags --libs sndfile samplerate)
"$work/excerpt" "$SOURCE" "$work/demo_clip.ogg" "$START_SECONDS" "$LENGTH_SECONDS"
mkdir -p "$(dirname "$output")"
mv "$work/demo_clip.ogg" "$output"
echo "make_demo_clip: $output ($(stat -c %s "$output") bytes, sha256 $(sha256sum "$output" | cut -d' ' -f1))" >&2
