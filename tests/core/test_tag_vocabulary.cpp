// SPDX-License-Identifier: GPL-3.0-or-later
// Tag vocabularies: loading, and the names users read for multi-vocabulary models.
#include <fstream>

#include <gtest/gtest.h>

#include "core/tags/tag_vocabulary.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;

TEST(TagVocabulary, LoadsOneTagPerLineSkippingBlankLinesAndSpace) {
    const auto path = test::scratchDir("vocabulary_load") / "mine_top3.txt";
    std::ofstream(path) << "guitar\n\n  classical \r\nslow\n";
    auto v = tags::loadTagVocabulary(path);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->name, "mine_top3");
    EXPECT_EQ(v->tags, (std::vector<std::string>{"guitar", "classical", "slow"}));
    EXPECT_EQ(v->indexOf("slow"), 2u);
    EXPECT_FALSE(v->indexOf("techno").has_value());
}

TEST(TagVocabulary, MissingOrEmptyFilesAreNamedInTheError) {
    const auto dir = test::scratchDir("vocabulary_bad");
    auto missing = tags::loadTagVocabulary(dir / "absent.txt");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, Error::Kind::NotFound);
    EXPECT_NE(missing.error().message.find("absent.txt"), std::string::npos) << missing.error().message;
    std::ofstream(dir / "blank.txt") << "\n  \n";
    auto blank = tags::loadTagVocabulary(dir / "blank.txt");
    ASSERT_FALSE(blank);
    EXPECT_NE(blank.error().message.find("blank.txt"), std::string::npos) << blank.error().message;
    EXPECT_FALSE(tags::loadTagVocabulary(dir)); // a folder is not a vocabulary
}

TEST(TagVocabulary, DisplayNamesQualifyTagsOnlyWhenAModelHasSeveralVocabularies) {
    const std::vector<std::string> names = {"guitar", "rock", "instrument---guitar", "mood/theme---film"};
    EXPECT_EQ(tags::displayTagNames({"guitar", "rock"}, {"mtat_top50", "mtat_top50"}),
              (std::vector<std::string>{"guitar", "rock"}));
    EXPECT_EQ(tags::displayTagNames({"guitar", "rock"}, {}), (std::vector<std::string>{"guitar", "rock"}));
    EXPECT_EQ(tags::displayTagNames(names, {"mtat_top50", "msd_top50", "jamendo_top50", "jamendo_top50"}),
              (std::vector<std::string>{"guitar (MTAT)", "rock (MSD)", "guitar (Jamendo instrument)",
                                        "film (Jamendo mood/theme)"}));
    // One vocabulary: the Jamendo category still reads as a qualifier, not a prefix.
    EXPECT_EQ(tags::displayTagNames({"genre---ambient", "odd---", "---"}, {}),
              (std::vector<std::string>{"ambient (genre)", "odd---", "---"}));
    EXPECT_EQ(tags::vocabularyLabel("mine_top3"), "mine");
    EXPECT_EQ(tags::vocabularyLabel("plain"), "plain");
}

} // namespace
} // namespace tagscope
