// SPDX-License-Identifier: GPL-3.0-or-later
// The tag hierarchy of an analysis comes from the card's taxonomy, read once when the model is
// prepared (a library scan does not re-read it per track); a damaged one gives a warning.
#include <gtest/gtest.h>

#include <fstream>

#include "core/model/analyzer.h"
#include "tests/model/analyzer_test_support.h"
#include "tests/support/test_paths.h"

using namespace tagscope;

namespace {

void writeText(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

} // namespace

TEST(AnalyzerHierarchy, TaxonomyIsReadOnceWhenTheModelIsPrepared) {
    const auto dir = test::scratchDir("analyzer_hierarchy_once");
    const auto taxonomy = dir / "tiny.json";
    writeText(taxonomy, R"({"vocabulary": "tiny", "groups": [
        {"name": "first two", "kind": "instrument", "members": ["a", "b"]}]})");
    auto card = test::tinyCard();
    card.taxonomyPath = taxonomy;
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), card);
    ASSERT_TRUE(tagger);
    // Gone after the model was prepared: every later analysis still has its hierarchy.
    std::filesystem::remove(taxonomy);
    model::Analyzer analyzer(tagger);
    for (int track = 0; track < 2; ++track) {
        auto r = analyzer.analyzeAudio(test::toneAudio(2.0, 1000.0));
        ASSERT_TRUE(r) << r.error().message;
        ASSERT_EQ(r->hierarchy.size(), 1u) << "track " << track;
        EXPECT_EQ(r->hierarchy[0].group, "first two");
        EXPECT_FLOAT_EQ(r->hierarchy[0].score, std::max(r->trackScores[0], r->trackScores[1]));
        EXPECT_TRUE(r->warnings.empty());
    }
}

TEST(AnalyzerHierarchy, ADamagedTaxonomyGivesAWarningNamingItAndNoHierarchy) {
    const auto dir = test::scratchDir("analyzer_hierarchy_damaged");
    const auto taxonomy = dir / "broken.json";
    writeText(taxonomy, "{\"vocabulary\": \"tiny\", \"groups\": [");
    auto card = test::tinyCard();
    card.taxonomyPath = taxonomy;
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), card);
    ASSERT_TRUE(tagger); // the model itself is fine: tags without a hierarchy
    model::Analyzer analyzer(tagger);
    auto r = analyzer.analyzeAudio(test::toneAudio(2.0, 1000.0));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->hierarchy.empty());
    ASSERT_EQ(r->warnings.size(), 1u);
    EXPECT_NE(r->warnings[0].find("no tag hierarchy"), std::string::npos) << r->warnings[0];
    EXPECT_NE(r->warnings[0].find("broken.json"), std::string::npos) << r->warnings[0];
}
