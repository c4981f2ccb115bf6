// SPDX-License-Identifier: GPL-3.0-or-later
// The tag policy (which tag goes into GENRE or MOOD), planning and the review diff.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/tagfile/write_plan.h"
#include "tests/core/tagfile_test_files.h"
#include "tests/support/test_paths.h"

namespace tagscope::tagfile {
namespace {

namespace fs = std::filesystem;
using test::knownTaxonomy;
using test::knownTrack;

const test::TagFormat kFlac = test::tagFormats()[0];

TEST(TagPolicy, JamendoPrefixesDecideTheField) {
    EXPECT_EQ(classifyTag("genre---ambient", "jamendo", nullptr).field, kGenreField);
    EXPECT_EQ(classifyTag("genre---ambient", "jamendo", nullptr).value, "ambient");
    EXPECT_EQ(classifyTag("mood/theme---film", "jamendo", nullptr).field, kMoodField);
    EXPECT_EQ(classifyTag("mood/theme---film", "jamendo", nullptr).value, "film");
    EXPECT_EQ(classifyTag("instrument---piano", "jamendo", nullptr).field, "");
}

TEST(TagPolicy, TaxonomyKindsDecideTheFieldAndSoundDescriptionsStayOut) {
    tags::Taxonomy t;
    t.groups = {{"classical", "genre", {"classical", "strings", "ambient"}},
                {"strings", "instrument", {"strings"}},
                {"calm", "mood", {"ambient", "slow", "msd:sad"}},
                {"slow", "tempo", {"slow", "fast"}}};
    EXPECT_EQ(classifyTag("classical", "mtat", &t).field, kGenreField);
    EXPECT_EQ(classifyTag("ambient", "mtat", &t).field, kGenreField) << "genre wins over mood";
    EXPECT_EQ(classifyTag("strings", "mtat", &t).field, "") << "an instrument is not a genre";
    EXPECT_EQ(classifyTag("slow", "mtat", &t).field, kMoodField);
    EXPECT_EQ(classifyTag("fast", "mtat", &t).field, "") << "tempo is not written";
    EXPECT_EQ(classifyTag("sad", "msd", &t).field, kMoodField) << "vocab:tag members match one vocabulary";
    EXPECT_EQ(classifyTag("sad", "mtat", &t).field, "");
    EXPECT_EQ(classifyTag("unknown", "mtat", &t).field, "");
    EXPECT_EQ(classifyTag("rock", "mtat", nullptr).field, "") << "no taxonomy: only prefixed tags are placed";
}

TEST(TagPolicy, BundledTaxonomyPlacesCommonTags) {
    auto tax = tags::loadTaxonomy(test::sourceDir() / "models" / "taxonomy" / "tagscope_mtt_student.json");
    ASSERT_TRUE(tax) << tax.error().message;
    EXPECT_EQ(classifyTag("rock", "mtat_top50", &*tax).field, kGenreField);
    EXPECT_EQ(classifyTag("jazz", "msd_top50", &*tax).field, kGenreField);
    EXPECT_EQ(classifyTag("sad", "msd_top50", &*tax).field, kMoodField);
    EXPECT_EQ(classifyTag("piano", "mtat_top50", &*tax).field, "");
    EXPECT_EQ(classifyTag("female vocalists", "msd_top50", &*tax).field, "");
}

TEST(WritePlan, AppendKeepsExistingValuesAndAddsOursWithoutDuplicates) {
    const auto dir = test::scratchDir("tagfile_plan_append");
    const auto file = test::makeTaggedFile(dir, "a", kFlac, 440, 0.5, {{"GENRE", {"Rock", "Jazz"}}, {"ARTIST", {"X"}}});
    ASSERT_FALSE(file.empty());
    const auto tax = knownTaxonomy();
    const FilePlan plan = planWrite(knownTrack(file), &tax, WriteOptions{});
    ASSERT_TRUE(plan.skipReason.empty()) << plan.skipReason;
    EXPECT_EQ(plan.format, "FLAC");
    ASSERT_EQ(plan.changes.size(), 3u);
    EXPECT_EQ(plan.changes[0].field, kGenreField);
    EXPECT_EQ(plan.changes[0].before, (std::vector<std::string>{"Rock", "Jazz"}));
    EXPECT_EQ(plan.changes[0].after, (std::vector<std::string>{"Rock", "Jazz", "ambient"})) << "rock is already there as Rock";
    EXPECT_EQ(plan.changes[1].field, kMoodField);
    EXPECT_EQ(plan.changes[1].after, (std::vector<std::string>{"sad", "calm"}));
    EXPECT_EQ(plan.changes[2].field, kTagscopeField);
    ASSERT_EQ(plan.changes[2].after.size(), 1u);
    const auto j = nlohmann::ordered_json::parse(plan.changes[2].after[0]);
    EXPECT_EQ(j.at("model"), "test-model");
    EXPECT_EQ(j.at("sha256"), "abc123");
    EXPECT_DOUBLE_EQ(j.at("scores").at("mtat:guitar").get<double>(), 0.95);
    EXPECT_EQ(j.at("scores").begin().key(), "mtat:guitar") << "best score first";
    EXPECT_TRUE(plan.hasChanges());
    EXPECT_EQ(plan.fields.at("ARTIST"), std::vector<std::string>{"X"});
}

TEST(WritePlan, ReplaceDropsExistingValuesAndMinAndTopLimitOurs) {
    const auto dir = test::scratchDir("tagfile_plan_replace");
    const auto file = test::makeTaggedFile(dir, "a", kFlac, 440, 0.5);
    ASSERT_FALSE(file.empty());
    const auto tax = knownTaxonomy();
    WriteOptions o;
    o.policy = WritePolicy::Replace;
    o.top = 1;
    o.minScore = 0.65f;
    const FilePlan plan = planWrite(knownTrack(file), &tax, o);
    EXPECT_EQ(plan.changes[0].after, std::vector<std::string>{"rock"});
    EXPECT_EQ(plan.changes[1].after, std::vector<std::string>{"sad"});
    o.minScore = 0.1f;
    o.top = 5;
    const FilePlan low = planWrite(knownTrack(file), &tax, o);
    EXPECT_EQ(low.changes[0].after, (std::vector<std::string>{"rock", "ambient", "pop"}));
}

TEST(WritePlan, DiffListsEveryFieldOldAndNew) {
    const auto dir = test::scratchDir("tagfile_plan_diff");
    const auto file = test::makeTaggedFile(dir, "a", kFlac, 440, 0.5);
    ASSERT_FALSE(file.empty());
    const auto tax = knownTaxonomy();
    const std::string diff = formatDiff(planWrite(knownTrack(file), &tax, WriteOptions{}));
    EXPECT_NE(diff.find("(FLAC)"), std::string::npos) << diff;
    EXPECT_NE(diff.find("GENRE: Jazz -> Jazz, rock, ambient"), std::string::npos) << diff;
    EXPECT_NE(diff.find("MOOD: (none) -> sad, calm"), std::string::npos) << diff;
    EXPECT_NE(diff.find("ARTIST: Kevin MacLeod (kept)"), std::string::npos) << diff;
    EXPECT_NE(diff.find("TITLE: Vibe Ace (kept)"), std::string::npos) << diff;
    EXPECT_NE(diff.find("TAGSCOPE: (none) -> {\"v\":1"), std::string::npos) << diff;
}

TEST(WritePlan, SkipsReadOnlyChangedUnsupportedAndDamagedFiles) {
    const auto dir = test::scratchDir("tagfile_plan_skips");
    const auto tax = knownTaxonomy();
    const auto ro = test::makeTaggedFile(dir, "ro", kFlac, 440, 0.5);
    ASSERT_FALSE(ro.empty());
    fs::permissions(ro, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    EXPECT_NE(planWrite(knownTrack(ro), &tax, {}).skipReason.find("read-only"), std::string::npos);

    const auto changed = test::makeTaggedFile(dir, "changed", kFlac, 440, 0.5);
    auto track = knownTrack(changed);
    track.expectedSize = fs::file_size(changed) + 1;
    EXPECT_NE(planWrite(track, &tax, {}).skipReason.find("changed since it was analysed"), std::string::npos);
    track = knownTrack(changed);
    track.expectedMtimeNs = fileStamp(changed)->second - 1;
    EXPECT_NE(planWrite(track, &tax, {}).skipReason.find("changed since it was analysed"), std::string::npos);
    track = knownTrack(changed);
    track.analysedAtNs = fileStamp(changed)->second - 1000;
    EXPECT_NE(planWrite(track, &tax, {}).skipReason.find("modified after it was analysed"), std::string::npos);
    track.analysedAtNs = fileStamp(changed)->second + 1000;
    EXPECT_EQ(planWrite(track, &tax, {}).skipReason, "");

    const auto au = dir / "x.au";
    ASSERT_TRUE(test::writeSound(au, SF_FORMAT_AU | SF_FORMAT_PCM_16, 8000, 1, std::vector<float>(800, 0.1f)));
    EXPECT_NE(planWrite(knownTrack(au), &tax, {}).skipReason.find("unsupported container"), std::string::npos);

    const auto damaged = dir / "damaged.flac";
    test::writeBytes(damaged, std::string(4000, 'x'));
    const FilePlan d = planWrite(knownTrack(damaged), &tax, {});
    EXPECT_NE(d.skipReason.find("not a valid FLAC file"), std::string::npos) << d.skipReason;
    EXPECT_FALSE(d.hasChanges());
    EXPECT_NE(planWrite(knownTrack(dir / "missing.flac"), &tax, {}).skipReason.find("not found"), std::string::npos);
}

} // namespace
} // namespace tagscope::tagfile
