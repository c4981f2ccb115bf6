// SPDX-License-Identifier: GPL-3.0-or-later
// Two analyses side by side: alignment across vocabularies, Spearman, evidence overlap.
#include <gtest/gtest.h>

#include "core/analysis/explanation_json.h"
#include "core/analysis/model_comparison.h"

namespace tagscope::analysis {
namespace {

TrackAnalysis analysisOf(std::string id, std::vector<std::string> names, std::vector<float> scores) {
    TrackAnalysis a;
    a.modelId = std::move(id);
    a.tagNames = std::move(names);
    a.trackScores = std::move(scores);
    return a;
}

/// Occlusion with 10 segments whose drops for each tag peak at `peaks[tag]` (and its neighbour).
OcclusionRelevance occlusionPeaking(const std::vector<size_t>& peaks) {
    OcclusionRelevance o;
    o.tagCount = peaks.size();
    for (size_t j = 0; j < 10; ++j) {
        o.segmentStartSeconds.push_back(double(j));
        o.segmentEndSeconds.push_back(double(j + 1));
        for (size_t t = 0; t < peaks.size(); ++t)
            o.drops.push_back(j == peaks[t] ? 1.0f : j == peaks[t] + 1 ? 0.5f : j == peaks[t] + 2 ? 0.25f : 0.0f);
    }
    return o;
}

TEST(ModelComparisonTest, SpearmanMatchesHandComputation) {
    EXPECT_DOUBLE_EQ(spearmanCorrelation({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
    EXPECT_DOUBLE_EQ(spearmanCorrelation({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
    // Ranks x: 1 2 3, y: 1 3 2 -> d^2 = 0+1+1 = 2 -> 1 - 6*2/(3*8) = 0.5.
    EXPECT_DOUBLE_EQ(spearmanCorrelation({0.1f, 0.2f, 0.3f}, {0.1f, 0.9f, 0.5f}), 0.5);
    EXPECT_DOUBLE_EQ(spearmanCorrelation({1, 1, 1}, {1, 2, 3}), 0.0); // constant side
    EXPECT_DOUBLE_EQ(spearmanCorrelation({1}, {1}), 0.0);
    EXPECT_DOUBLE_EQ(jaccard({1, 2, 3}, {2, 3, 4}), 0.5);
    EXPECT_DOUBLE_EQ(jaccard({}, {}), 1.0);
    EXPECT_DOUBLE_EQ(jaccard({1}, {2}), 0.0);
}

TEST(ModelComparisonTest, AlignsSameTagNamesAcrossVocabulariesAndGroups) {
    auto a = analysisOf("A", {"piano", "rock", "guitar", "techno"}, {0.9f, 0.2f, 0.5f, 0.1f});
    auto b = analysisOf("B", {"genre---rock", "Piano", "instrument---guitar", "guitar", "opera"},
                        {0.3f, 0.8f, 0.4f, 0.6f, 0.7f});
    a.hierarchy = {{"electronic", 0.1f, 3, "techno", {3}, false, {}}, {"strings", 0.5f, 2, "guitar", {2}, false, {}}};
    b.hierarchy = {{"strings", 0.6f, 3, "guitar", {2, 3}, false, {}}, {"vocal", 0.7f, 4, "opera", {4}, false, {}}};
    const auto m = compareAnalyses(a, b, nullptr, nullptr);
    ASSERT_EQ(m.tags.size(), 4u); // piano, guitar, rock; group strings
    EXPECT_EQ(m.tags[0].name, "piano");
    EXPECT_FLOAT_EQ(m.tags[0].scoreB, 0.8f);
    const auto guitar = std::find_if(m.tags.begin(), m.tags.end(), [](const AlignedTag& r) { return r.name == "guitar"; });
    ASSERT_NE(guitar, m.tags.end());
    EXPECT_EQ(guitar->kind, "tag");
    EXPECT_EQ(guitar->tagsB, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(guitar->evidenceB, 3u); // max pooled: 'guitar' 0.6 beats 'instrument---guitar' 0.4
    EXPECT_FLOAT_EQ(guitar->scoreB, 0.6f);
    EXPECT_EQ(m.tags.back().kind, "tag"); // rock, lowest max score
    const auto strings = std::find_if(m.tags.begin(), m.tags.end(), [](const AlignedTag& r) { return r.kind == "group"; });
    ASSERT_NE(strings, m.tags.end());
    EXPECT_EQ(strings->name, "strings");
    EXPECT_FALSE(m.meanEvidenceOverlap);
    EXPECT_FALSE(m.tags[0].evidenceOverlap);
    // Scores by row: piano (.9,.8), guitar (.5,.6), strings (.5,.6), rock (.2,.3): same order.
    EXPECT_GT(m.rankCorrelation, 0.9);
}

TEST(ModelComparisonTest, EvidenceOverlapIsJaccardOfTopSegments) {
    auto a = analysisOf("A", {"piano", "rock"}, {0.9f, 0.2f});
    auto b = analysisOf("B", {"rock", "piano"}, {0.3f, 0.8f});
    const auto occA = occlusionPeaking({2, 6});   // piano at 2..4, rock at 6..8
    const auto occB = occlusionPeaking({6, 3});   // rock at 6..8, piano at 3..5
    const auto m = compareAnalyses(a, b, &occA, &occB);
    EXPECT_EQ(m.topSegments, 3u);                  // max(3, 10% of 10)
    ASSERT_EQ(m.tags.size(), 2u);
    ASSERT_TRUE(m.tags[0].evidenceOverlap);
    EXPECT_DOUBLE_EQ(*m.tags[0].evidenceOverlap, 0.5); // {2,3,4} vs {3,4,5}
    EXPECT_DOUBLE_EQ(*m.tags[1].evidenceOverlap, 1.0); // rock agrees exactly
    ASSERT_TRUE(m.meanEvidenceOverlap);
    EXPECT_DOUBLE_EQ(*m.meanEvidenceOverlap, 0.75);
    const auto j = comparisonToJson(m, a, b);
    EXPECT_EQ(j.at("tags")[0].at("evidence_b"), "piano");
    EXPECT_DOUBLE_EQ(j.at("mean_evidence_overlap").get<double>(), 0.75);
    // Different segment grids cannot be compared segment by segment.
    auto coarse = occB;
    coarse.segmentSeconds = 2.0;
    EXPECT_FALSE(compareAnalyses(a, b, &occA, &coarse).meanEvidenceOverlap);
}

TEST(ModelComparisonTest, DisjointVocabulariesGiveAnEmptyTable) {
    const auto m = compareAnalyses(analysisOf("A", {"piano"}, {0.5f}), analysisOf("B", {"opera"}, {0.5f}), nullptr, nullptr);
    EXPECT_TRUE(m.tags.empty());
    EXPECT_EQ(m.rankCorrelation, 0.0);
    EXPECT_EQ(conceptName("mood/theme---Film"), "film");
}

} // namespace
} // namespace tagscope::analysis
