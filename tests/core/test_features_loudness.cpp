// SPDX-License-Identifier: GPL-3.0-or-later
// Loudness against the EBU Tech 3341 / 3342 test signals (synthesized here, 1 kHz sines at the
// stated peak levels in dBFS on both stereo channels; the mono mixdown is counted as dual mono),
// and dynamic complexity on signals with known level changes.
#include <cmath>
#include <utility>

#include <gtest/gtest.h>

#include "core/features/loudness_features.h"
#include "tests/core/test_features_signals.h"

using namespace tagscope::features;
using namespace tagscope::test;

namespace {
/// Concatenated 1 kHz sine sections {dBFS, seconds}.
std::vector<float> stepped(std::initializer_list<std::pair<double, double>> sections) {
    std::vector<float> s;
    for (auto [db, sec] : sections) appendSine(s, 1000, db, sec);
    return s;
}
LoudnessMeasure measure(const std::vector<float>& s, bool dualMono = true) {
    auto m = measureLoudness(s, kFeatureRate, dualMono);
    EXPECT_TRUE(m.has_value());
    return m ? *m : LoudnessMeasure{};
}
} // namespace

TEST(FeaturesLoudness, EbuTech3341IntegratedLoudness) {
    EXPECT_NEAR(measure(stepped({{-23, 20}})).integratedLufs, -23.0, 0.1);                      // case 1
    EXPECT_NEAR(measure(stepped({{-33, 20}})).integratedLufs, -33.0, 0.1);                      // case 2
    EXPECT_NEAR(measure(stepped({{-36, 10}, {-23, 60}, {-36, 10}})).integratedLufs, -23.0, 0.1); // case 3
    EXPECT_NEAR(measure(stepped({{-72, 10}, {-36, 10}, {-23, 60}, {-36, 10}, {-72, 10}})).integratedLufs, -23.0,
                0.1);                                                                            // case 4
    EXPECT_NEAR(measure(stepped({{-26, 20}, {-20, 20.1}, {-26, 20}})).integratedLufs, -23.0, 0.1); // case 5
}

TEST(FeaturesLoudness, EbuTech3342LoudnessRange) {
    EXPECT_NEAR(measure(stepped({{-20, 20}, {-30, 20}})).rangeLu, 10.0, 1.0);  // case 1
    EXPECT_NEAR(measure(stepped({{-20, 20}, {-15, 20}})).rangeLu, 5.0, 1.0);   // case 2
    EXPECT_NEAR(measure(stepped({{-40, 20}, {-20, 20}})).rangeLu, 20.0, 1.0);  // case 3
}

TEST(FeaturesLoudness, MonoFileCountsOneChannelAndSilenceIsUnknown) {
    // BS.1770 sums channel powers: one channel of the same sine reads 3 dB lower.
    EXPECT_NEAR(measure(stepped({{-23, 10}}), false).integratedLufs, -23.0 - 3.01, 0.1);
    const auto silent = measure(std::vector<float>(kFeatureRate * 5, 0.0f));
    EXPECT_TRUE(std::isnan(silent.integratedLufs));
    EXPECT_FALSE(measureLoudness(stepped({{-23, 1}}), 10, true).has_value());
}

TEST(FeaturesLoudness, DynamicComplexityOfStepsAndSteadyTones) {
    EXPECT_LT(dynamicComplexityDb(sine(1000, -10, 4.0), kFeatureRate), 0.05);
    // Alternating -20 / -30 dBFS seconds: every level is 5 dB from the mean.
    std::vector<float> s;
    for (int i = 0; i < 4; ++i) {
        appendSine(s, 1000, -20, 1.0);
        appendSine(s, 1000, -30, 1.0);
    }
    EXPECT_NEAR(dynamicComplexityDb(s, kFeatureRate), 5.0, 0.2);
    EXPECT_TRUE(std::isnan(dynamicComplexityDb(std::vector<float>(kFeatureRate, 0.0f), kFeatureRate)));
}
