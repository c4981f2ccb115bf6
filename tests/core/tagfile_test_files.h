// SPDX-License-Identifier: GPL-3.0-or-later
// Audio files of every container Tagscope writes tags into, made in the test with libsndfile
// and pre-tagged (ARTIST, TITLE, GENRE) so the tests can check existing tags survive.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sndfile.h>

#include "core/tagfile/tag_file.h"
#include "core/tagfile/write_plan.h"
#include "tests/core/test_audio_files.h"

namespace tagscope::test {

/// One container: its extension, libsndfile format and a sample rate it accepts.
struct TagFormat {
    std::string ext;
    int sfFormat = 0;
    int rate = 44100;
};

/// Every container of the tag writer.
inline std::vector<TagFormat> tagFormats() {
    return {{"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100},
            {"ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100},
            {"opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000},
            {"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050},
            {"aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 22050},
            {"mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100}};
}

/// The tags every test file starts with.
inline tagfile::FieldMap existingTags() {
    return {{"ARTIST", {"Kevin MacLeod"}}, {"TITLE", {"Vibe Ace"}}, {"GENRE", {"Jazz"}}};
}

/// Writes `seconds` of a stereo sine as `dir/name.ext`, tagged with existingTags() (or `tags`).
/// Returns an empty path when libsndfile cannot write the format.
inline std::filesystem::path makeTaggedFile(const std::filesystem::path& dir, const std::string& name,
                                            const TagFormat& format, double freq = 440.0, double seconds = 1.0,
                                            const tagfile::FieldMap& tags = existingTags()) {
    const auto path = dir / (name + "." + format.ext);
    const auto frames = int64_t(seconds * format.rate);
    if (!writeSound(path, format.sfFormat, format.rate, 2, sineFrames(format.rate, 2, frames, freq))) return {};
    if (!tags.empty() && !tagfile::writeFields(path, tags)) return {};
    return path;
}

/// A known analysis: rock 0.9 (genre), sad 0.8 (mood), guitar 0.95 (instrument),
/// "genre---ambient" 0.7, "mood/theme---calm" 0.6, pop 0.3 (below the default minimum).
inline tagfile::TrackTags knownTrack(const std::filesystem::path& file) {
    tagfile::TrackTags t;
    t.file = file;
    t.modelId = "test-model";
    t.modelSha256 = "abc123";
    t.tagNames = {"rock", "sad", "guitar", "genre---ambient", "mood/theme---calm", "pop"};
    t.vocabularies = {"mtat", "mtat", "mtat", "jamendo", "jamendo", "mtat"};
    t.scores = {0.9f, 0.8f, 0.95f, 0.7f, 0.6f, 0.3f};
    return t;
}

/// Taxonomy for knownTrack(): rock, pop -> genre; sad -> mood; guitar -> instrument.
inline tags::Taxonomy knownTaxonomy() {
    tags::Taxonomy t;
    t.groups = {{"rock", "genre", {"rock", "guitar"}}, {"pop", "genre", {"pop"}},
                {"sad", "mood", {"sad"}}, {"guitar", "instrument", {"guitar"}}};
    return t;
}

} // namespace tagscope::test

namespace tagscope::test {

/// A whole file's bytes.
inline std::string readBytesForTest(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace tagscope::test
