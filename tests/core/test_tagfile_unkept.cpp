// SPDX-License-Identifier: GPL-3.0-or-later
// Vorbis comments TagLib cannot keep (empty values, entries without '='): found in the raw
// comment block of FLAC and Ogg files, and such files are left untouched by the tag writer.
#include <gtest/gtest.h>

#include <taglib/vorbisfile.h>

#include "core/tagfile/tag_file.h"
#include "core/tagfile/vorbis_comment_scan.h"
#include "core/tagfile/write_plan.h"
#include "tests/core/tagfile_test_files.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using tagfile::droppedVorbisComments;

namespace {

void putLe32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

/// A Vorbis comment block: vendor, count, entries (no framing byte).
std::string commentBlock(const std::vector<std::string>& entries, const std::string& vendor = "tagscope test") {
    std::string b;
    putLe32(b, uint32_t(vendor.size()));
    b += vendor;
    putLe32(b, uint32_t(entries.size()));
    for (const auto& e : entries) {
        putLe32(b, uint32_t(e.size()));
        b += e;
    }
    return b;
}

std::vector<std::string> scan(const std::string& block) {
    return droppedVorbisComments(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(block.data()), block.size()));
}

/// Replaces the VORBIS_COMMENT block of a FLAC file (no ID3v2 in front) by `block`.
void replaceFlacComments(const std::filesystem::path& path, const std::string& block) {
    std::string bytes = test::readBytesForTest(path);
    ASSERT_EQ(bytes.substr(0, 4), "fLaC");
    size_t at = 4;
    for (;;) {
        ASSERT_LE(at + 4, bytes.size());
        const auto h = reinterpret_cast<const uint8_t*>(bytes.data() + at);
        const size_t length = size_t(h[1]) << 16 | size_t(h[2]) << 8 | size_t(h[3]);
        if ((h[0] & 0x7f) == 4) {
            std::string header = bytes.substr(at, 1);
            header.push_back(char((block.size() >> 16) & 0xff));
            header.push_back(char((block.size() >> 8) & 0xff));
            header.push_back(char(block.size() & 0xff));
            bytes = bytes.substr(0, at) + header + block + bytes.substr(at + 4 + length);
            test::writeBytes(path, bytes);
            return;
        }
        ASSERT_FALSE(h[0] & 0x80) << "no comment block";
        at += 4 + length;
    }
}

} // namespace

TEST(VorbisCommentScan, FindsEmptyValuesAndEntriesWithoutEquals) {
    EXPECT_TRUE(scan(commentBlock({"ARTIST=a", "TITLE=b"})).empty());
    EXPECT_EQ(scan(commentBlock({"ARTIST=a", "comment=", "TITLE=b"})), std::vector<std::string>{"COMMENT="});
    EXPECT_EQ(scan(commentBlock({"NOEQUALS", "X="})), (std::vector<std::string>{"NOEQUALS", "X="}));
    EXPECT_TRUE(scan(commentBlock({})).empty());
}

TEST(VorbisCommentScan, DamagedBlocksNeverReadPastTheirEnd) {
    const std::string good = commentBlock({"A=", "B=x", "C="});
    // Every truncation: only what is wholly there counts.
    for (size_t n = 0; n < good.size(); ++n) {
        const auto found = scan(good.substr(0, n));
        EXPECT_LE(found.size(), 2u) << n;
    }
    EXPECT_EQ(scan(good), (std::vector<std::string>{"A=", "C="}));
    // Lengths that overflow size_t arithmetic or claim more than the block holds.
    std::string huge;
    putLe32(huge, 0xffffffffu);
    EXPECT_TRUE(scan(huge).empty());
    std::string entries;
    putLe32(entries, 0);
    putLe32(entries, 0xffffffffu); // count
    putLe32(entries, 0xfffffff0u); // first entry's length
    entries += "A=";
    EXPECT_TRUE(scan(entries).empty());
}

TEST(UnkeptVorbisComments, FlacWithAnEmptyFieldIsReportedAndLeftAlone) {
    const auto dir = test::scratchDir("tagfile_unkept_flac");
    const auto file = test::makeTaggedFile(dir, "empty_comment", test::tagFormats()[0]);
    ASSERT_FALSE(file.empty());
    auto plain = tagfile::readTags(file);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_TRUE(plain->unkeptFields.empty()); // a normal tag: nothing to report
    replaceFlacComments(file, commentBlock({"ARTIST=Kevin MacLeod", "TITLE=Vibe Ace", "GENRE=Jazz", "COMMENT="}));
    auto tags = tagfile::readTags(file);
    ASSERT_TRUE(tags) << tags.error().message;
    EXPECT_EQ(tags->fields.count("COMMENT"), 0u); // TagLib itself does not see it
    EXPECT_EQ(tags->unkeptFields, std::vector<std::string>{"COMMENT="});
    const std::string before = test::readBytesForTest(file);
    const auto plan = tagfile::planWrite(test::knownTrack(file), nullptr, {});
    EXPECT_NE(plan.skipReason.find("COMMENT="), std::string::npos) << plan.skipReason;
    EXPECT_NE(plan.skipReason.find("drop"), std::string::npos) << plan.skipReason;
    EXPECT_FALSE(plan.skipReason.empty());
    EXPECT_EQ(test::readBytesForTest(file), before);
}

TEST(UnkeptVorbisComments, OggVorbisWithAnEmptyFieldIsReported) {
    const auto dir = test::scratchDir("tagfile_unkept_ogg");
    const auto file = test::makeTaggedFile(dir, "empty_comment", test::tagFormats()[1]);
    ASSERT_FALSE(file.empty());
    auto plain = tagfile::readTags(file);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_TRUE(plain->unkeptFields.empty());
    {
        // NOTE: Ogg::File::save() (not Vorbis::File's, which re-renders TagLib's parsed comment)
        // pages our raw comment packet with valid CRCs.
        TagLib::Ogg::Vorbis::File f(file.c_str(), false);
        ASSERT_TRUE(f.isValid());
        const std::string packet = std::string("\x03vorbis", 7) + commentBlock({"TITLE=Vibe Ace", "MOOD="}) + "\x01";
        f.setPacket(1, TagLib::ByteVector(packet.data(), unsigned(packet.size())));
        ASSERT_TRUE(f.TagLib::Ogg::File::save());
    }
    auto tags = tagfile::readTags(file);
    ASSERT_TRUE(tags) << tags.error().message;
    EXPECT_EQ(tags->fields.at("TITLE"), std::vector<std::string>{"Vibe Ace"});
    EXPECT_EQ(tags->unkeptFields, std::vector<std::string>{"MOOD="});
    EXPECT_NE(tagfile::planWrite(test::knownTrack(file), nullptr, {}).skipReason.find("MOOD="), std::string::npos);
}
