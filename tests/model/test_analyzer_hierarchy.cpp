// SPDX-License-Identifier: GPL-3.0-or-later
// The tag hierarchy of an analysis comes from the card's taxonomy, read once when the model is
// prepared (a library scan does not re-read it per track); a damaged one gives a warning.
#include <gtest/gtest.h>

#include <fstream>

#include "core/model/analyzer.h"
#include "core/model/nets/tagger_net.h"
#include "core/tags/coarse_tag.h"
#include <algorithm>
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

// A Music Tagging Transformer with an attention coarse head: the group's score is its own
// output, the analysis carries the head's attention over the fine tags (mean over chunks), and
// the group row names the fine tags it attended to.
TEST(AnalyzerHierarchy, LearnedGroupsTakeTheCoarseHeadsOutputAndItsAttentionOverTheFineTags) {
    const auto dir = test::scratchDir("analyzer_hierarchy_learned");
    const auto taxonomy = dir / "tiny.json";
    writeText(taxonomy, R"({"vocabulary": "tiny", "groups": [
        {"name": "first two", "kind": "instrument", "members": ["a", "b"]},
        {"name": "last", "kind": "genre", "members": ["c"]}]})");
    auto card = test::tinyCard();
    card.architecture = "mtt";
    card.taxonomyPath = taxonomy;
    card.vocabularies.push_back({tags::kLearnedGroupsVocabulary, {"first two"}});
    card.hyperParameters = {{"conv_ndim", 4},        {"n_mels", 16},           {"attention_ndim", 16},
                            {"attention_nheads", 2}, {"attention_nlayers", 1}, {"attention_max_len", 64},
                            {"coarse_head", "attention"}, {"coarse_groups", {{0, 1}}}};
    torch::manual_seed(5);
    auto net = model::createNet("mtt", card.hyperParameters, 4);
    ASSERT_TRUE(net) << net.error().message;
    (*net)->eval();
    auto tagger = test::tinyTagger(*net, card);
    ASSERT_TRUE(tagger);
    model::Analyzer analyzer(tagger);
    auto r = analyzer.analyzeAudio(test::toneAudio(3.0, 1000.0));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->trackScores.size(), 4u);
    ASSERT_EQ(r->coarseRelation.size(), 3u) << "one group over three fine tags";
    EXPECT_NEAR(r->coarseRelation[0] + r->coarseRelation[1] + r->coarseRelation[2], 1.0, 1e-5);
    ASSERT_EQ(r->hierarchy.size(), 2u);
    const auto learned = std::find_if(r->hierarchy.begin(), r->hierarchy.end(), [](const auto& c) { return c.group == "first two"; });
    const auto pooled = std::find_if(r->hierarchy.begin(), r->hierarchy.end(), [](const auto& c) { return c.group == "last"; });
    ASSERT_NE(learned, r->hierarchy.end());
    ASSERT_NE(pooled, r->hierarchy.end());
    EXPECT_TRUE(learned->learned);
    EXPECT_FLOAT_EQ(learned->score, r->trackScores[3]);
    EXPECT_EQ(learned->members, (std::vector<size_t>{0, 1})) << "the group's own output is not one of its members";
    ASSERT_FALSE(learned->relation.empty());
    EXPECT_FLOAT_EQ(learned->relation[0].second, *std::max_element(r->coarseRelation.begin(), r->coarseRelation.end()));
    EXPECT_FALSE(pooled->learned);
    EXPECT_FLOAT_EQ(pooled->score, r->trackScores[2]);
    EXPECT_TRUE(pooled->relation.empty());
}
