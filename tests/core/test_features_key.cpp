// SPDX-License-Identifier: GPL-3.0-or-later
// Key, mode and chords of rendered cadences (I-IV-V-I, i-iv-V-i) in all 24 keys. Prints how
// many keys are right (goal >= 22 of 24) and checks the chord sequence and its functions.
#include <cstdio>

#include <gtest/gtest.h>

#include "core/features/harmonic_patterns.h"
#include "core/features/spectral_features.h"
#include "core/features/tonal_features.h"
#include "tests/core/test_features_signals.h"

using namespace tagscope::features;
using namespace tagscope::test;

TEST(FeaturesKey, CadencesInAll24Keys) {
    int keysRight = 0, chordsRight = 0, chordsTotal = 0;
    for (int minor = 0; minor < 2; ++minor)
        for (int tonic = 0; tonic < 12; ++tonic) {
            auto f = analyzeSpectrum(cadence(tonic, minor == 1), kFeatureRate);
            ASSERT_TRUE(f.has_value());
            const KeyEstimate key = estimateKey(sumChroma(*f, 0, 1e9));
            const bool ok = key.valid && key.tonic == tonic && key.minor == (minor == 1);
            keysRight += ok;
            const auto chords = estimateChords(f->chroma, f->frameTime(0), double(f->hopSize) / f->sampleRate, key);
            // Expected: i, iv, V, i (merged with the next i), iv, V, i = 7 chords.
            const int roots[] = {0, 5, 7, 0, 5, 7, 0};
            const bool isMinor[] = {minor == 1, minor == 1, false, minor == 1, minor == 1, false, minor == 1};
            std::string got;
            for (const auto& c : chords) got += c.name() + std::string(functionSymbol(c.function)) + " ";
            for (size_t i = 0; i < 7; ++i) {
                ++chordsTotal;
                if (i < chords.size() && chords[i].root == (tonic + roots[i]) % 12 && chords[i].minor == isMinor[i])
                    ++chordsRight;
            }
            std::printf("[key] %-8s -> %-8s strength %.2f  chords: %s%s\n", keyName(tonic, minor).c_str(),
                        key.name().c_str(), key.strength, got.c_str(), ok ? "" : " WRONG KEY");
        }
    std::printf("[key] %d of 24 keys right (Krumhansl-Kessler); %d of %d chords right\n", keysRight, chordsRight,
                chordsTotal);
    EXPECT_GE(keysRight, 22);
    EXPECT_GE(chordsRight, chordsTotal * 9 / 10);
}

TEST(FeaturesKey, CadenceHasSubdominantDominantTonicPattern) {
    auto f = analyzeSpectrum(cadence(2, false, 1.0, 3), kFeatureRate);  // D major, three times
    ASSERT_TRUE(f.has_value());
    const KeyEstimate key = estimateKey(sumChroma(*f, 0, 1e9));
    ASSERT_EQ(key.name(), "D major");
    const auto chords = estimateChords(f->chroma, f->frameTime(0), double(f->hopSize) / f->sampleRate, key);
    std::vector<double> v = unknownValues();
    harmonicFeatures(chords, 0, 12.0, v);
    // Functions T S D T S D T S D T: S->D->T in 3 of 8 windows, T->S->D in 3 of 8.
    EXPECT_NEAR(v[*featureIndex("pattern_s_d_t")], 3.0 / 8, 1e-9);
    EXPECT_NEAR(v[*featureIndex("pattern_t_s_d")], 3.0 / 8, 1e-9);
    EXPECT_NEAR(v[*featureIndex("pattern_t_d")], 0.0, 1e-9);
    EXPECT_NEAR(v[*featureIndex("chord_change_rate")], 9.0 / 12.0, 0.1);
    EXPECT_NEAR(v[*featureIndex("tonic_share")], 0.4, 1e-9);
    EXPECT_NEAR(v[*featureIndex("dominant_share")], 0.3, 1e-9);
}

TEST(FeaturesKey, SilenceHasNoKeyNorChords) {
    const KeyEstimate k = estimateKey(Chroma{});
    EXPECT_FALSE(k.valid);
    EXPECT_EQ(k.name(), "");
    std::vector<Chroma> silent(20, Chroma{});
    EXPECT_TRUE(estimateChords(silent, 0.1, 0.1, k).empty());
}
