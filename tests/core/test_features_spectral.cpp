// SPDX-License-Identifier: GPL-3.0-or-later
// Spectral descriptors on pure tones, noise and harmonic tones with known answers.
#include <cmath>

#include <gtest/gtest.h>

#include "core/features/spectral_features.h"
#include "core/features/spectral_frame.h"
#include "tests/core/test_features_signals.h"

using namespace tagscope::features;
using namespace tagscope::test;

namespace {
std::array<double, kSpectralDescriptorCount> describe(const std::vector<float>& s) {
    auto f = analyzeSpectrum(s, kFeatureRate);
    EXPECT_TRUE(f.has_value());
    return f ? meanDescriptors(*f, 0, 1e9) : std::array<double, kSpectralDescriptorCount>{};
}
std::vector<float> harmonicTone(double f0, int harmonics, double seconds) {
    std::vector<float> s(size_t(seconds * kFeatureRate), 0.0f);
    for (int h = 1; h <= harmonics; ++h) {
        const auto p = sine(f0 * h, -20, seconds);
        for (size_t i = 0; i < s.size(); ++i) s[i] += p[i];
    }
    return s;
}
} // namespace

TEST(FeaturesSpectral, PureToneAt1kHz) {
    const auto d = describe(sine(1000, -6, 2.0));
    EXPECT_NEAR(d[kCentroid], 1000, 10);
    EXPECT_LT(d[kSpread], 60);
    EXPECT_NEAR(d[kRolloff], 1000, 12);
    EXPECT_NEAR(d[kZeroCrossing], 2000.0 / kFeatureRate, 0.002);
    EXPECT_EQ(d[kComplexity], 1.0);
    EXPECT_LT(d[kEntropy], 0.2);
    EXPECT_LT(d[kFlatness], 0.01);
    EXPECT_GT(d[kEnergyMidHigh], 0.99);
    EXPECT_LT(d[kDissonance], 0.01);
    EXPECT_LT(d[kFlux], 0.01);
    EXPECT_LT(d[kPitchSalience], 0.2);
    EXPECT_GT(d[kDecrease], 0.0);
    EXPECT_LT(d[kDecrease], describe(sine(100, -6, 2.0))[kDecrease]);  // more energy low: larger
}

TEST(FeaturesSpectral, WhiteNoiseIsFlatAndBright) {
    const auto d = describe(whiteNoise(3.0));
    const double nyq = kFeatureRate / 2.0;
    EXPECT_NEAR(d[kCentroid], nyq / 2, nyq * 0.03);
    EXPECT_NEAR(d[kRolloff], 0.85 * nyq, nyq * 0.03);
    EXPECT_GT(d[kFlatness], 0.45);  // periodogram of white noise: exp(-Euler gamma) = 0.56
    EXPECT_GT(d[kEntropy], 0.9);
    EXPECT_GT(d[kFlux], 0.3);
    EXPECT_LT(d[kPitchSalience], 0.1);
    // Band shares follow the band widths.
    const double span = nyq - 20;
    EXPECT_NEAR(d[kEnergyLow], 130 / span, 0.01);
    EXPECT_NEAR(d[kEnergyMidLow], 650 / span, 0.01);
    EXPECT_NEAR(d[kEnergyMidHigh], 3200 / span, 0.02);
    EXPECT_NEAR(d[kEnergyHigh], (nyq - 4000) / span, 0.02);
    EXPECT_NEAR(std::abs(d[kDecrease]), 0.0, 0.05);
}

TEST(FeaturesSpectral, HarmonicToneHasSalientPitchAndItsPartials) {
    const auto d = describe(harmonicTone(220, 10, 2.0));
    EXPECT_GT(d[kPitchSalience], 0.5);
    EXPECT_EQ(d[kComplexity], 10.0);
    EXPECT_NEAR(d[kEnergyMidLow] + d[kEnergyMidHigh], 1.0, 1e-6);
}

TEST(FeaturesSpectral, DissonanceOfIntervals) {
    auto pair = [](double f1, double f2) {
        auto a = sine(f1, -12, 2.0);
        const auto b = sine(f2, -12, 2.0);
        for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
        return describe(a)[kDissonance];
    };
    const double semitone = pair(440, 466.16), fifth = pair(440, 660), octave = pair(440, 880);
    EXPECT_GT(semitone, 0.8);
    EXPECT_LT(fifth, 0.05);
    EXPECT_LT(octave, 0.05);
    // Plomp-Levelt curve: zero for unison, a maximum near a quarter of a critical band.
    EXPECT_NEAR(detail::plompLevelt(500, 500), 0.0, 1e-12);
    EXPECT_GT(detail::plompLevelt(500, 520), detail::plompLevelt(500, 600));
}

TEST(FeaturesSpectral, SilenceAndEmptyInputGiveUnknownNotErrors) {
    const auto d = describe(std::vector<float>(kFeatureRate, 0.0f));
    for (double v : d) EXPECT_TRUE(std::isnan(v));
    auto empty = analyzeSpectrum({}, kFeatureRate);
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->descriptors.empty());
    EXPECT_FALSE(analyzeSpectrum(sine(100, -6, 1.0), 100).has_value());  // absurd rate: an error
}

TEST(FeaturesSpectral, ChromaOfATriadNamesItsNotes) {
    std::vector<float> s;
    appendChord(s, triad(60, false), 2.0);  // C E G
    auto f = analyzeSpectrum(s, kFeatureRate);
    ASSERT_TRUE(f.has_value());
    const auto c = sumChroma(*f, 0, 1e9);
    for (int pc : {0, 4, 7})
        for (int other : {1, 3, 6, 8, 10}) EXPECT_GT(c[size_t(pc)], 3 * c[size_t(other)]) << pc << " vs " << other;
}
