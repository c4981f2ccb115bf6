// SPDX-License-Identifier: GPL-3.0-or-later
// Evidence curves pooled to segments and smoothed: frame noise goes, where the evidence is stays.
#include <gtest/gtest.h>

#include <cmath>

#include "ui/segment_curve.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

/// 64 ms frames over `seconds`: alternating +-1 noise, plus `bump` inside [a, b).
analysis::TimeSeries noisyFrames(double seconds, double a, double b, float bump) {
    analysis::TimeSeries s;
    const double frame = 0.064;
    for (int i = 0; i * frame < seconds; ++i) {
        s.startSeconds.push_back(i * frame);
        s.endSeconds.push_back(std::min(seconds, (i + 1) * frame));
        const double centre = (i + 0.5) * frame;
        s.values.push_back((i % 2 ? 1.0f : -1.0f) + (centre >= a && centre < b ? bump : 0.0f));
    }
    return s;
}

} // namespace

TEST(SegmentCurve, PoolsFrameNoiseIntoSegmentsAndKeepsTheEvidence) {
    const auto curve = segmentCurve(noisyFrames(20.0, 8.0, 12.0, 5.0f), 20.0, 1.0, 0);
    ASSERT_EQ(curve.values.size(), 20u);
    EXPECT_DOUBLE_EQ(curve.startSeconds[3], 3.0);
    EXPECT_DOUBLE_EQ(curve.endSeconds.back(), 20.0);
    for (size_t s = 0; s < 20; ++s) {
        if (s >= 8 && s < 12) EXPECT_NEAR(curve.values[s], 5.0, 0.6) << s;
        else EXPECT_NEAR(curve.values[s], 0.0, 0.6) << s; // +-1 frame noise averages out
    }
}

TEST(SegmentCurve, SmoothingSpreadsAPeakToItsNeighbours) {
    analysis::TimeSeries spike;
    spike.startSeconds = {4.0};
    spike.endSeconds = {5.0};
    spike.values = {4.0f};
    const auto curve = segmentCurve(spike, 10.0, 1.0, 1);
    ASSERT_EQ(curve.values.size(), 10u);
    EXPECT_FLOAT_EQ(curve.values[4], 2.0f);
    EXPECT_FLOAT_EQ(curve.values[3], 1.0f);
    EXPECT_FLOAT_EQ(curve.values[5], 1.0f);
    EXPECT_FLOAT_EQ(curve.values[0], 0.0f);
    EXPECT_FLOAT_EQ(curve.values[9], 0.0f);
}

TEST(SegmentCurve, LastSegmentIsClippedAndBadInputGivesNothing) {
    analysis::TimeSeries s;
    s.startSeconds = {0.0};
    s.endSeconds = {2.5};
    s.values = {1.0f};
    const auto curve = segmentCurve(s, 2.5, 1.0, 0);
    ASSERT_EQ(curve.values.size(), 3u);
    EXPECT_DOUBLE_EQ(curve.endSeconds.back(), 2.5);
    EXPECT_FLOAT_EQ(curve.values[2], 1.0f);
    EXPECT_TRUE(segmentCurve(s, 0.0, 1.0).values.empty());
    EXPECT_TRUE(segmentCurve(s, 2.5, 0.0).values.empty());
    s.values = {NAN};
    EXPECT_FLOAT_EQ(segmentCurve(s, 2.5, 1.0, 0).values[0], 0.0f);
}
