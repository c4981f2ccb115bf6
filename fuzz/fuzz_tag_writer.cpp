// SPDX-License-Identifier: GPL-3.0-or-later
// Writing tags into a damaged or hostile audio file through the whole safe path a user's file
// takes (read, plan, temp copy, TagLib write, re-read, audio check, rename). The promise under
// test: the file ends either written as planned or byte-for-byte as it was, and no temporary
// copy is left behind. The first input byte picks the container (by file extension).
#include <filesystem>
#include <string>

#include "core/io/file_util.h"
#include "core/tagfile/safe_writer.h"
#include "core/tagfile/tag_file.h"
#include "core/tagfile/write_plan.h"
#include "fuzz/fuzz_target.h"

TAGSCOPE_FUZZ_TARGET(tag_writer) {
    using namespace tagscope;
    if (bytes.empty()) return;
    static constexpr const char* kExtensions[] = {".flac", ".ogg", ".opus", ".mp3", ".wav", ".aiff"};
    const auto extension = kExtensions[static_cast<unsigned char>(bytes[0]) % std::size(kExtensions)];
    const std::string_view content = bytes.substr(1);
    const auto file = fuzz::scratchFolder() / (std::string("track") + extension);
    fuzz::writeScratchFile(file, content);

    if (auto read = tagfile::readTags(file); !read) TAGSCOPE_FUZZ_CHECK(!read.error().message.empty());

    tagfile::TrackTags track;
    track.file = file;
    track.modelId = "fuzz";
    track.modelSha256 = std::string(64, '0');
    track.tagNames = {"genre---rock", "mood/theme---calm", "instrument---piano"};
    track.vocabularies = {"mtg_jamendo", "mtg_jamendo", "mtg_jamendo"};
    track.scores = {0.9f, 0.8f, 0.7f};
    const auto plan = tagfile::planWrite(track, nullptr, tagfile::WriteOptions{});
    const auto outcome = tagfile::applyPlan(plan, nullptr);

    TAGSCOPE_FUZZ_CHECK(!std::filesystem::exists(tagfile::tempPathFor(file)));
    if (outcome.status == tagfile::WriteStatus::Written) {
        auto after = tagfile::readTags(file);
        TAGSCOPE_FUZZ_CHECK(after.has_value());
        const auto genre = after->fields.find(tagfile::kGenreField);
        TAGSCOPE_FUZZ_CHECK(genre != after->fields.end());
        bool rock = false;
        for (const auto& v : genre->second) rock = rock || v == "rock";
        TAGSCOPE_FUZZ_CHECK(rock);
    } else {
        auto now = io::readFileBytes(file);
        TAGSCOPE_FUZZ_CHECK(now.has_value() && *now == content);
        if (outcome.status == tagfile::WriteStatus::Failed) TAGSCOPE_FUZZ_CHECK(!outcome.message.empty());
    }
    std::error_code ec;
    std::filesystem::remove(file, ec);
}
