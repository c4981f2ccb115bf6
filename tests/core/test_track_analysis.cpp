// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "core/analysis/track_analysis.h"

using namespace tagscope::analysis;

TEST(TrackAnalysis, RankedSortsByScoreWithThresholdAndLimit) {
    TrackAnalysis r;
    r.tagNames = {"rock", "piano", "vocal", "drums"};
    r.trackScores = {0.2f, 0.9f, 0.5f, 0.5f};
    const auto all = r.ranked();
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].name, "piano");
    EXPECT_EQ(all[0].index, 1u);
    EXPECT_EQ(all[1].name, "vocal"); // ties keep output order
    EXPECT_EQ(all[2].name, "drums");
    EXPECT_EQ(all[3].name, "rock");
    const auto top2 = r.ranked(2);
    ASSERT_EQ(top2.size(), 2u);
    EXPECT_EQ(top2[1].name, "vocal");
    const auto above = r.ranked(0, 0.5f);
    ASSERT_EQ(above.size(), 3u);
    EXPECT_FLOAT_EQ(above[2].score, 0.5f);
    EXPECT_TRUE(r.ranked(0, 0.95f).empty());
    EXPECT_TRUE(TrackAnalysis{}.ranked().empty());
}

TEST(Faithfulness, SummaryInWords) {
    Faithfulness f;
    f.tagName = "piano";
    f.k = 3;
    f.segmentSeconds = 1.0;
    f.baseline = 0.81f;
    f.afterTopK = 0.42f;
    f.afterRandom = 0.77f;
    EXPECT_EQ(f.summary(),
              "Masking the 3 most relevant seconds lowers 'piano' from 0.81 to 0.42; masking 3 random seconds "
              "lowers it to 0.77. The explanation points at audio the model relies on.");
    EXPECT_NEAR(f.advantage(), 0.35f, 1e-6);

    f.method = "rollout";
    f.k = 1;
    f.segmentSeconds = 2.5;
    f.afterTopK = 0.9f;
    f.afterRandom = 0.81f;
    EXPECT_EQ(f.summary(), "Masking the 1 most relevant 2.5-second segment (by rollout) raises 'piano' from 0.81 "
                           "to 0.90; masking 1 random 2.5-second segment leaves it at 0.81. Random audio matters "
                           "more: do not trust this explanation for this tag.");
    EXPECT_LT(f.advantage(), 0.0f);

    // Changes smaller than the printed precision read as no change, with a cautious verdict.
    f.baseline = 0.131f;
    f.afterTopK = 0.128f;
    f.afterRandom = 0.124f;
    EXPECT_EQ(f.summary(), "Masking the 1 most relevant 2.5-second segment (by rollout) leaves 'piano' at 0.13; "
                           "masking 1 random 2.5-second segment lowers it to 0.12. No clearer than chance: treat "
                           "this explanation with caution.");
}
