// SPDX-License-Identifier: GPL-3.0-or-later
// The torch-free parts of issue 13's explanations: curve areas, scoring against random
// orderings, verdict thresholds, choice of method, pointing share, and their JSON.
#include <gtest/gtest.h>

#include "core/analysis/explanation_json.h"
#include "core/analysis/explanations.h"
#include "core/analysis/serialize.h"

namespace tagscope::analysis {
namespace {

FaithfulnessCurve curveOf(std::vector<float> deletion, std::vector<float> insertion) {
    FaithfulnessCurve c;
    c.tag = 2;
    c.tagName = "piano";
    c.method = "occlusion";
    c.fractions = defaultFractions();
    c.segmentCount = 60;
    c.deletion = std::move(deletion);
    c.insertion = std::move(insertion);
    return c;
}

TEST(FaithfulnessCurveTest, AreaIsTheMeanOfTheCurveOverTheFractionAxis) {
    const std::vector<double> f{0.0, 0.1, 0.4};
    EXPECT_DOUBLE_EQ(curveArea(f, {0.5f, 0.5f, 0.5f}), 0.5);
    // Trapezoids: 0.1 * (1 + 0) / 2 + 0.3 * 0 = 0.05, over an axis of 0.4.
    EXPECT_NEAR(curveArea(f, {1.0f, 0.0f, 0.0f}), 0.05 / 0.4, 1e-7);
    EXPECT_DOUBLE_EQ(curveArea({}, {}), 0.0);
}

TEST(FaithfulnessCurveTest, ARankingThatDeletesFastBeatsEveryRandomOrdering) {
    auto c = curveOf({0.8f, 0.3f, 0.2f, 0.1f, 0.1f}, {0.05f, 0.6f, 0.7f, 0.8f, 0.8f});
    std::vector<std::vector<float>> del, ins;
    for (int r = 0; r < 20; ++r) {
        const float k = 0.01f * float(r);
        del.push_back({0.8f, 0.75f - k, 0.7f - k, 0.6f - k, 0.5f - k});
        ins.push_back({0.05f, 0.1f + k, 0.2f + k, 0.3f + k, 0.45f + k});
    }
    scoreAgainstRandom(c, del, ins);
    EXPECT_EQ(c.randomOrderings, 20);
    EXPECT_DOUBLE_EQ(c.shareBeaten, 1.0);
    EXPECT_EQ(c.verdict, FaithfulnessVerdict::Faithful);
    EXPECT_GT(c.areaBetween, 0.3);
    EXPECT_NEAR(c.score, curveArea(c.fractions, c.insertion) - curveArea(c.fractions, c.deletion), 1e-12);
    ASSERT_EQ(c.randomDeletion.mean.size(), 5u);
    EXPECT_NEAR(c.randomDeletion.mean[1], 0.75f - 0.095f, 1e-5);
    EXPECT_LE(c.randomDeletion.p10[4], c.randomDeletion.mean[4]);
    EXPECT_GE(c.randomDeletion.p90[4], c.randomDeletion.mean[4]);
    EXPECT_NE(c.summary().find("beats 100% of 20 random orderings"), std::string::npos) << c.summary();
}

TEST(FaithfulnessCurveTest, ARankingNoBetterThanRandomGetsTheChanceVerdict) {
    // The method's curves equal the median random ordering: it beats about half of them.
    std::vector<std::vector<float>> del, ins;
    for (int r = 0; r < 21; ++r) {
        const float k = 0.01f * float(r - 10);
        del.push_back({0.8f, 0.7f + k, 0.6f + k, 0.5f + k, 0.4f + k});
        ins.push_back({0.1f, 0.2f, 0.3f, 0.4f, 0.5f});
    }
    auto c = curveOf(del[10], ins[10]);
    scoreAgainstRandom(c, del, ins);
    EXPECT_NEAR(c.shareBeaten, 10.5 / 21.0, 1e-12); // 10 beaten, one tie counted half
    EXPECT_EQ(c.verdict, FaithfulnessVerdict::Chance);
    EXPECT_NEAR(c.areaBetween, 0.0, 1e-6);
    EXPECT_NE(c.summary().find("no better than chance"), std::string::npos);
}

TEST(FaithfulnessCurveTest, VerdictThresholdsAreTheDocumentedOnes) {
    EXPECT_EQ(verdictOf(1.0), FaithfulnessVerdict::Faithful);
    EXPECT_EQ(verdictOf(0.9), FaithfulnessVerdict::Faithful);
    EXPECT_EQ(verdictOf(0.89), FaithfulnessVerdict::Weak);
    EXPECT_EQ(verdictOf(0.6), FaithfulnessVerdict::Weak);
    EXPECT_EQ(verdictOf(0.59), FaithfulnessVerdict::Chance);
    for (auto v : {FaithfulnessVerdict::Faithful, FaithfulnessVerdict::Weak, FaithfulnessVerdict::Chance}) {
        FaithfulnessVerdict back = FaithfulnessVerdict::Chance;
        ASSERT_TRUE(parseVerdict(verdictName(v), back));
        EXPECT_EQ(back, v);
    }
    FaithfulnessVerdict unused;
    EXPECT_FALSE(parseVerdict("trustworthy", unused));
}

TEST(FaithfulnessCurveTest, NoRandomOrderingsMeansNoVerdictOfTrust) {
    auto c = curveOf({0.8f, 0.1f, 0.1f, 0.1f, 0.1f}, {0.0f, 0.8f, 0.8f, 0.8f, 0.8f});
    scoreAgainstRandom(c, {}, {});
    EXPECT_EQ(c.shareBeaten, 0.0);
    EXPECT_EQ(c.verdict, FaithfulnessVerdict::Chance);
}

TEST(FaithfulnessCurveTest, MostFaithfulPrefersShareThenArea) {
    std::vector<FaithfulnessCurve> cs(3);
    cs[0].method = "gradient";
    cs[0].shareBeaten = 0.7;
    cs[0].areaBetween = 0.5;
    cs[1].method = "occlusion";
    cs[1].shareBeaten = 0.95;
    cs[1].areaBetween = 0.1;
    cs[2].method = "contribution";
    cs[2].shareBeaten = 0.95;
    cs[2].areaBetween = 0.2;
    EXPECT_EQ(mostFaithful(cs), 2u);
    EXPECT_EQ(mostFaithful({}), 0u);
    // The tag-independent rollout is shown only when its verdict is better than every other's.
    for (auto& c : cs) c.verdict = verdictOf(c.shareBeaten);
    std::vector<FaithfulnessCurve> withRollout = cs;
    withRollout.push_back(cs[1]);
    withRollout.back().method = "rollout";
    withRollout.back().shareBeaten = 1.0;
    withRollout.back().areaBetween = 0.9;
    withRollout.back().verdict = FaithfulnessVerdict::Faithful;
    EXPECT_EQ(mostFaithful(withRollout), 2u); // contribution: also faithful
    withRollout[1].shareBeaten = withRollout[2].shareBeaten = 0.7;
    withRollout[1].verdict = withRollout[2].verdict = FaithfulnessVerdict::Weak;
    EXPECT_EQ(mostFaithful(withRollout), 3u); // rollout alone is faithful
    TagExplanation e;
    e.curves = cs;
    e.bestMethod = "occlusion";
    ASSERT_NE(e.bestCurve(), nullptr);
    EXPECT_EQ(e.bestCurve()->method, "occlusion");
    e.bestMethod = "rollout";
    EXPECT_EQ(e.bestCurve(), nullptr);
}

TEST(PointingTest, ShareOfPositiveEvidenceInsideThePassage) {
    // Segments of 1 s: evidence 3 inside [2, 4), 1 outside, negative values ignored.
    const std::vector<double> scores{0.0, 1.0, 2.0, 1.0, -5.0};
    EXPECT_DOUBLE_EQ(evidenceShareInside(scores, 1.0, 2.0, 4.0), 0.75);
    EXPECT_DOUBLE_EQ(evidenceShareInside(scores, 1.0, 0.0, 5.0), 1.0);
    // Half of segment 2 lies inside [2.5, 3).
    EXPECT_DOUBLE_EQ(evidenceShareInside(scores, 1.0, 2.5, 3.0), 0.25);
    EXPECT_DOUBLE_EQ(evidenceShareInside({-1.0, 0.0}, 1.0, 0.0, 2.0), 0.0);
    EXPECT_EQ(rankByScore({0.1, 0.3, 0.3, -1.0}), (std::vector<size_t>{1, 2, 0, 3}));
}

TEST(OcclusionRelevanceTest, CurveOfOneTagAndJsonRoundTrip) {
    OcclusionRelevance o;
    o.segmentSeconds = 1.0;
    o.segmentStartSeconds = {0.0, 1.0, 2.0};
    o.segmentEndSeconds = {1.0, 2.0, 2.5};
    o.tagCount = 2;
    o.drops = {0.1f, -0.2f, 0.3f, 0.0f, 0.5f, 0.25f};
    const auto c = o.curve(1);
    EXPECT_EQ(c.values, (std::vector<float>{-0.2f, 0.0f, 0.25f}));
    EXPECT_TRUE(o.curve(2).values.empty());
    const auto j = occlusionToJson(o);
    EXPECT_EQ(j.at("masking_value"), kMaskingValue);
    EXPECT_EQ(j.at("drops").size(), 3u);
    auto back = occlusionFromJson(j, "x.json");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->drops, o.drops);
    EXPECT_EQ(back->segmentEndSeconds, o.segmentEndSeconds);
    auto broken = j;
    broken["drops"][1].erase(0);
    auto fails = occlusionFromJson(broken, "x.json");
    ASSERT_FALSE(fails);
    EXPECT_NE(fails.error().message.find("x.json"), std::string::npos);
    EXPECT_NE(fails.error().message.find("occlusion"), std::string::npos);
}

TEST(ExplanationJsonTest, CurvesTimeFrequencyAndBestMethodRoundTrip) {
    TagExplanation e;
    e.tag = 2;
    e.tagName = "piano";
    e.trackScore = 0.8f;
    e.occlusion = TimeSeries{{0.0, 1.0}, {1.0, 2.0}, {0.5f, 0.25f}};
    e.attribution = TimeSeries{{0.0}, {2.0}, {1.0f}};
    TimeFrequencyOcclusion tf;
    tf.tag = 2;
    tf.tagName = "piano";
    tf.startSeconds = 0.0;
    tf.endSeconds = 2.0;
    tf.segmentStartSeconds = {0.0, 1.0};
    tf.segmentEndSeconds = {1.0, 2.0};
    tf.bandFirstMel = {0, 48};
    tf.bandEndMel = {48, 96};
    tf.bandLowHz = {0.0, 1500.0};
    tf.bandHighHz = {1500.0, 8000.0};
    tf.drops = {0.1f, 0.2f, 0.3f, 0.4f};
    e.timeFrequency = tf;
    auto c = curveOf({0.8f, 0.3f, 0.2f, 0.1f, 0.1f}, {0.05f, 0.6f, 0.7f, 0.8f, 0.8f});
    scoreAgainstRandom(c, {{0.8f, 0.7f, 0.6f, 0.5f, 0.4f}}, {{0.05f, 0.1f, 0.2f, 0.3f, 0.4f}});
    e.curves = {c};
    e.bestMethod = "occlusion";
    e.evidenceSegments = {{0.0, 1.0}};
    const auto j = explanationToJson(e);
    EXPECT_EQ(j.at("best_method"), "occlusion");
    EXPECT_EQ(j.at("verdict"), "faithful");
    EXPECT_FALSE(j.contains("faithfulness")); // the old 3-segment test is gone
    auto back = explanationFromJson(j, "e.json");
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->curves.size(), 1u);
    EXPECT_EQ(back->curves[0].deletion, c.deletion);
    EXPECT_EQ(back->curves[0].randomInsertion.mean, c.randomInsertion.mean);
    EXPECT_EQ(back->curves[0].verdict, FaithfulnessVerdict::Faithful);
    EXPECT_DOUBLE_EQ(back->curves[0].shareBeaten, 1.0);
    ASSERT_TRUE(back->timeFrequency);
    EXPECT_EQ(back->timeFrequency->drops, tf.drops);
    EXPECT_EQ(back->timeFrequency->bandHighHz, tf.bandHighHz);
    ASSERT_TRUE(back->occlusion);
    EXPECT_EQ(back->occlusion->values, e.occlusion->values);
    EXPECT_EQ(back->bestMethod, "occlusion");
    auto badVerdict = j;
    badVerdict["faithfulness_curves"][0]["verdict"] = "maybe";
    EXPECT_FALSE(explanationFromJson(badVerdict, "e.json"));
}

} // namespace
} // namespace tagscope::analysis
