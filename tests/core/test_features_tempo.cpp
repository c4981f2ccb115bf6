// SPDX-License-Identifier: GPL-3.0-or-later
// Tempo, onsets and pulse clarity on click tracks and drum-like loops at known tempi 60-180 BPM.
// Prints how many are within 2 % and how many are octave errors (x2, x1/2, x3/2, x2/3).
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "core/features/rhythm_features.h"
#include "tests/core/test_features_signals.h"

using namespace tagscope::features;
using namespace tagscope::test;

namespace {

constexpr double kTempi[] = {60, 72, 85, 90, 100, 110, 120, 128, 140, 150, 160, 174, 180};
constexpr double kSeconds = 16.0;

struct TempoTally {
    int exact = 0, octave = 0, wrong = 0;
};

TempoTally tally(const char* what, std::vector<float> (*make)(double, double, int)) {
    TempoTally t;
    for (double bpm : kTempi) {
        auto r = analyzeRhythm(make(bpm, kSeconds, kFeatureRate), kFeatureRate);
        EXPECT_TRUE(r.has_value());
        if (!r) continue;
        // NOTE: the first seconds are the tracker's warm-up.
        const double est = refineTempo(r->onsetEnvelope, r->envelopeRate, tempoFromBeats(r->beatSeconds, 4.0, kSeconds), 4.0, kSeconds);
        const double ratio = est / bpm;
        const char* verdict = "wrong";
        if (std::abs(ratio - 1) <= 0.02) {
            ++t.exact;
            verdict = "ok";
        } else if (std::abs(ratio - 2) <= 0.04 || std::abs(ratio - 0.5) <= 0.01 || std::abs(ratio - 1.5) <= 0.03 ||
                   std::abs(ratio - 2.0 / 3) <= 0.014) {
            ++t.octave;
            verdict = "octave";
        } else {
            ++t.wrong;
        }
        std::printf("[tempo] %-10s %6.1f BPM -> %7.2f BPM  %s\n", what, bpm, est, verdict);
    }
    std::printf("[tempo] %s: %d of %zu within 2 %%, %d octave errors, %d wrong\n", what, t.exact, std::size(kTempi),
                t.octave, t.wrong);
    return t;
}

} // namespace

TEST(FeaturesTempo, ClickTracksAtKnownTempi) {
    const auto t = tally("clicks", clickTrack);
    EXPECT_EQ(t.wrong, 0);
    EXPECT_GE(t.exact, int(std::size(kTempi)) - 2);
}

TEST(FeaturesTempo, DrumLoopsAtKnownTempi) {
    const auto t = tally("drums", drumLoop);
    EXPECT_EQ(t.wrong, 0);
    EXPECT_GE(t.exact, int(std::size(kTempi)) - 3);
}

TEST(FeaturesTempo, OnsetRateAndPulseClarityOfAMetronome) {
    auto r = analyzeRhythm(clickTrack(120, 10.0), kFeatureRate);
    ASSERT_TRUE(r.has_value());
    EXPECT_NEAR(onsetRate(r->onsetSeconds, 0, 10.0), 2.0, 0.15);
    EXPECT_GT(pulseClarity(r->onsetEnvelope, r->envelopeRate, 0, 10.0), 0.7);
    const auto clicks = clickTrack(120, 10.0);
    EXPECT_NEAR(beatLoudnessDb(clicks, kFeatureRate, r->beatSeconds, 2.0, 10.0),
                beatLoudnessDb(clicks, kFeatureRate, std::vector<double>{0.1, 0.6, 1.1}, 0, 10.0), 6.0);

    auto noise = analyzeRhythm(whiteNoise(10.0), kFeatureRate);
    ASSERT_TRUE(noise.has_value());
    EXPECT_LT(pulseClarity(noise->onsetEnvelope, noise->envelopeRate, 0, 10.0), 0.3);
}

TEST(FeaturesTempo, TooFewBeatsOrSilenceGiveUnknown) {
    EXPECT_TRUE(std::isnan(tempoFromBeats(std::vector<double>{1.0, 2.0}, 0, 10)));
    EXPECT_NEAR(tempoFromBeats(std::vector<double>{1.0, 1.5, 2.0, 2.5}, 0, 10), 120.0, 1e-9);
    auto silent = analyzeRhythm(std::vector<float>(kFeatureRate * 3, 0.0f), kFeatureRate);
    ASSERT_TRUE(silent.has_value());
    EXPECT_TRUE(std::isnan(tempoFromBeats(silent->beatSeconds, 0, 3)));
    EXPECT_TRUE(std::isnan(pulseClarity(silent->onsetEnvelope, silent->envelopeRate, 0, 0.2)));
    EXPECT_FALSE(analyzeRhythm(std::vector<float>(100, 0.0f), 10).has_value());
}
