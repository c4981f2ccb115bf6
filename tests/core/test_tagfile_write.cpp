// SPDX-License-Identifier: GPL-3.0-or-later
// Writing tags into every container safely, the journal, and undo.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <taglib/id3v2tag.h>
#include <taglib/mpegfile.h>
#include <taglib/textidentificationframe.h>

#include "core/io/file_util.h"
#include "core/tagfile/audio_payload.h"
#include "core/tagfile/safe_writer.h"
#include "tests/core/tagfile_test_files.h"
#include "tests/support/test_paths.h"

namespace tagscope::tagfile {
namespace {

namespace fs = std::filesystem;
using test::knownTaxonomy;
using test::knownTrack;

class TagWriteFormats : public ::testing::TestWithParam<test::TagFormat> {};

TEST_P(TagWriteFormats, WritesVerifiesJournalsAndUndoesKeepingTagsAndAudio) {
    const auto format = GetParam();
    const auto dir = test::scratchDir("tagfile_write_" + format.ext);
    const auto file = test::makeTaggedFile(dir, "track", format);
    ASSERT_FALSE(file.empty()) << "libsndfile/TagLib could not make a " << format.ext << " file";
    const auto pristine = dir / ("pristine." + format.ext);
    fs::copy_file(file, pristine);
    ::chmod(file.c_str(), 0640);
    const auto before = readTags(file);
    ASSERT_TRUE(before) << before.error().message;
    EXPECT_EQ(before->fields.at("ARTIST"), std::vector<std::string>{"Kevin MacLeod"});

    const auto tax = knownTaxonomy();
    const FilePlan plan = planWrite(knownTrack(file), &tax, WriteOptions{});
    ASSERT_TRUE(plan.hasChanges()) << plan.skipReason;
    auto journal = WriteJournal::open(dir / "journal" / "j.jsonl");
    ASSERT_TRUE(journal) << journal.error().message;
    const WriteOutcome out = applyPlan(plan, &*journal);
    ASSERT_EQ(out.status, WriteStatus::Written) << out.message;

    const auto after = readTags(file);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_EQ(after->fields.at("ARTIST"), std::vector<std::string>{"Kevin MacLeod"});
    EXPECT_EQ(after->fields.at("TITLE"), std::vector<std::string>{"Vibe Ace"});
    EXPECT_EQ(after->fields.at("GENRE"), (std::vector<std::string>{"Jazz", "rock", "ambient"}));
    EXPECT_EQ(after->fields.at("MOOD"), (std::vector<std::string>{"sad", "calm"}));
    ASSERT_EQ(after->fields.at("TAGSCOPE").size(), 1u);
    EXPECT_EQ(nlohmann::json::parse(after->fields.at("TAGSCOPE")[0]).at("model"), "test-model");
    EXPECT_TRUE(verifySameAudio(pristine, file)) << "the audio must decode to the same samples";
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u) << "permissions kept";
    EXPECT_FALSE(fs::exists(tempPathFor(file)));

    const auto contents = readJournal(dir / "journal" / "j.jsonl");
    ASSERT_TRUE(contents) << contents.error().message;
    ASSERT_EQ(contents->entries.size(), 1u);
    const JournalEntry& e = contents->entries[0];
    EXPECT_EQ(e.file, file);
    EXPECT_EQ(e.originalSha256, *io::sha256File(pristine));
    EXPECT_EQ(e.writtenSha256, *io::sha256File(file));
    EXPECT_EQ(e.originalFields.at("GENRE"), std::vector<std::string>{"Jazz"});
    EXPECT_TRUE(e.originalFields.at("MOOD").empty());
    EXPECT_EQ(e.writtenFields.at("MOOD"), (std::vector<std::string>{"sad", "calm"}));

    EXPECT_EQ(applyPlan(planWrite(knownTrack(file), &tax, WriteOptions{}), nullptr).status, WriteStatus::Unchanged)
        << "a second run changes nothing";

    const WriteOutcome undone = undoEntry(e);
    ASSERT_EQ(undone.status, WriteStatus::Written) << undone.message;
    const auto restored = readTags(file);
    ASSERT_TRUE(restored);
    EXPECT_EQ(restored->fields, before->fields);
    EXPECT_TRUE(verifySameAudio(pristine, file));
    const std::string restoredBytes = test::readBytesForTest(file);
    EXPECT_NE(undoEntry(e).status, WriteStatus::Written) << "a second undo has nothing to do";
    EXPECT_EQ(test::readBytesForTest(file), restoredBytes);
}

INSTANTIATE_TEST_SUITE_P(Containers, TagWriteFormats, ::testing::ValuesIn(test::tagFormats()),
                         [](const auto& info) { return info.param.ext; });

TEST(TagWrite, Mp3FieldsAreStandardId3v2Frames) {
    const auto dir = test::scratchDir("tagfile_write_id3");
    const auto file = test::makeTaggedFile(dir, "t", test::tagFormats()[5]);
    ASSERT_FALSE(file.empty());
    const auto tax = knownTaxonomy();
    ASSERT_EQ(applyPlan(planWrite(knownTrack(file), &tax, {}), nullptr).status, WriteStatus::Written);
    TagLib::MPEG::File f(file.c_str(), false);
    ASSERT_TRUE(f.hasID3v2Tag());
    auto* tag = f.ID3v2Tag();
    EXPECT_EQ(tag->header()->majorVersion(), 4u);
    ASSERT_FALSE(tag->frameListMap()["TCON"].isEmpty());
    ASSERT_FALSE(tag->frameListMap()["TMOO"].isEmpty());
    EXPECT_EQ(tag->frameListMap()["TMOO"].front()->toString().to8Bit(true), "sad calm");
    auto* txxx = TagLib::ID3v2::UserTextIdentificationFrame::find(tag, "TAGSCOPE");
    ASSERT_NE(txxx, nullptr) << "the scores live in TXXX:TAGSCOPE";
}

TEST(TagWrite, FileChangedAfterReviewIsSkippedAndLeftAlone) {
    const auto dir = test::scratchDir("tagfile_write_changed");
    const auto file = test::makeTaggedFile(dir, "t", test::tagFormats()[0]);
    ASSERT_FALSE(file.empty());
    const auto tax = knownTaxonomy();
    const FilePlan plan = planWrite(knownTrack(file), &tax, {});
    ASSERT_TRUE(writeFields(file, {{"COMMENT", {"edited by the user"}}}));
    const std::string bytes = test::readBytesForTest(file);
    const WriteOutcome out = applyPlan(plan, nullptr);
    EXPECT_EQ(out.status, WriteStatus::Skipped);
    EXPECT_NE(out.message.find("changed since the review"), std::string::npos) << out.message;
    EXPECT_EQ(test::readBytesForTest(file), bytes);
}

TEST(TagWrite, ReadOnlyFileIsSkippedAndNotTouched) {
    const auto dir = test::scratchDir("tagfile_write_readonly");
    const auto file = test::makeTaggedFile(dir, "t", test::tagFormats()[1]);
    ASSERT_FALSE(file.empty());
    ::chmod(file.c_str(), 0444);
    const std::string bytes = test::readBytesForTest(file);
    const auto tax = knownTaxonomy();
    const WriteOutcome out = applyPlan(planWrite(knownTrack(file), &tax, {}), nullptr);
    EXPECT_EQ(out.status, WriteStatus::Skipped);
    EXPECT_NE(out.message.find("read-only"), std::string::npos) << out.message;
    EXPECT_EQ(test::readBytesForTest(file), bytes);
}

TEST(TagWrite, UndoSkipsAFileChangedSinceTheWrite) {
    const auto dir = test::scratchDir("tagfile_write_undo_changed");
    const auto file = test::makeTaggedFile(dir, "t", test::tagFormats()[0]);
    ASSERT_FALSE(file.empty());
    const auto tax = knownTaxonomy();
    auto journal = WriteJournal::open(dir / "j.jsonl");
    ASSERT_TRUE(journal);
    ASSERT_EQ(applyPlan(planWrite(knownTrack(file), &tax, {}), &*journal).status, WriteStatus::Written);
    ASSERT_TRUE(writeFields(file, {{"TITLE", {"Renamed later"}}}));
    const auto entries = readJournal(dir / "j.jsonl");
    ASSERT_TRUE(entries);
    const WriteOutcome out = undoEntry(entries->entries.at(0));
    EXPECT_EQ(out.status, WriteStatus::Skipped);
    EXPECT_NE(out.message.find("changed since Tagscope wrote it"), std::string::npos) << out.message;
    EXPECT_EQ(readTags(file)->fields.at("TITLE"), std::vector<std::string>{"Renamed later"});
}

TEST(TagWrite, AudioCheckNoticesDifferentSamples) {
    const auto dir = test::scratchDir("tagfile_write_audio_check");
    const auto a = test::makeTaggedFile(dir, "a", test::tagFormats()[0], 440.0);
    const auto b = test::makeTaggedFile(dir, "b", test::tagFormats()[0], 441.0);
    const auto c = test::makeTaggedFile(dir, "c", test::tagFormats()[0], 440.0, 0.9);
    ASSERT_FALSE(a.empty() || b.empty() || c.empty());
    EXPECT_TRUE(verifySameAudio(a, a));
    EXPECT_FALSE(verifySameAudio(a, b));
    EXPECT_FALSE(verifySameAudio(a, c));
    EXPECT_FALSE(verifySameAudio(a, dir / "missing.flac"));
}

TEST(TagWriteJournal, ToleratesACutLastLineAndKeepsNonUtf8Paths) {
    const auto dir = test::scratchDir("tagfile_journal");
    JournalEntry e;
    e.file = dir / std::string("caf\xe9.flac");   // Latin-1, not UTF-8
    e.originalSha256 = "aa";
    e.writtenSha256 = "bb";
    e.originalFields = {{"GENRE", {"Jazz"}}, {"MOOD", {}}};
    e.writtenFields = {{"GENRE", {"Jazz", "rock"}}, {"MOOD", {"sad"}}};
    {
        auto j = WriteJournal::open(dir / "j.jsonl");
        ASSERT_TRUE(j);
        ASSERT_TRUE(j->append(e));
    }
    std::ofstream(dir / "j.jsonl", std::ios::app) << "{\"v\":1,\"file\":\"cut";
    const auto back = readJournal(dir / "j.jsonl");
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->entries.size(), 1u);
    EXPECT_EQ(back->damagedLines, 1u);
    EXPECT_EQ(back->entries[0].file, e.file);
    EXPECT_EQ(back->entries[0].writtenFields, e.writtenFields);
    EXPECT_TRUE(back->entries[0].originalFields.at("MOOD").empty());
    test::writeBytes(dir / "bad.jsonl", "not a journal\n");
    EXPECT_FALSE(readJournal(dir / "bad.jsonl"));
    EXPECT_FALSE(readJournal(dir / "missing.jsonl"));
}

TEST(TagWrite, StaleTemporaryCopiesAreRecognisedAndRemoved) {
    const auto dir = test::scratchDir("tagfile_temps");
    EXPECT_EQ(tempPathFor(dir / "a.flac"), dir / ".a.flac.tagscope-tmp");
    EXPECT_TRUE(isTempName(".a.flac.tagscope-tmp"));
    EXPECT_FALSE(isTempName("a.flac.tagscope-tmp"));
    EXPECT_FALSE(isTempName(".tagscope-tmp"));
    test::writeBytes(dir / ".a.flac.tagscope-tmp", "x");
    test::writeBytes(dir / ".hidden.flac", "x");
    test::writeBytes(dir / "a.flac", "x");
    EXPECT_EQ(removeStaleTemps(dir), 1u);
    EXPECT_FALSE(fs::exists(dir / ".a.flac.tagscope-tmp"));
    EXPECT_TRUE(fs::exists(dir / ".hidden.flac"));
    EXPECT_TRUE(fs::exists(dir / "a.flac"));
}

} // namespace
} // namespace tagscope::tagfile
