// SPDX-License-Identifier: GPL-3.0-or-later
// The feature catalog (stable keys, documented units and methods) and the harmonic-function
// pattern frequencies, on hand-made chord sequences with known answers.
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "core/features/feature_set.h"
#include "core/features/harmonic_patterns.h"

using namespace tagscope::features;

TEST(FeaturesCatalog, KeysAreUniqueDocumentedAndIncludeTheIssueKeys) {
    const auto& c = featureCatalog();
    std::set<std::string> keys;
    for (const auto& f : c) {
        EXPECT_TRUE(keys.insert(f.key).second) << f.key;
        EXPECT_FALSE(f.name.empty()) << f.key;
        EXPECT_FALSE(f.method.empty()) << f.key;
        EXPECT_LT(f.minValue, f.maxValue) << f.key;
    }
    for (const char* k : {"tempo_bpm", "key_strength", "loudness_lufs", "loudness_range_lu", "onset_rate",
                          "spectral_centroid_hz", "dissonance", "pattern_s_d_t", "vocal_presence"})
        EXPECT_TRUE(featureIndex(k).has_value()) << k;
    EXPECT_FALSE(featureIndex("no_such_feature").has_value());
    EXPECT_EQ(harmonicPatterns().size(), 18u);
}

TEST(FeaturesCatalog, TrackValueAccessAndVocalHook) {
    TrackFeatures t;
    EXPECT_TRUE(std::isnan(t.value("tempo_bpm")));
    t.values = unknownValues();
    t.setValue(kVocalPresenceKey, 0.8);
    EXPECT_DOUBLE_EQ(t.value(kVocalPresenceKey), 0.8);
    t.setValue("no_such_feature", 1.0);  // ignored, no crash
    EXPECT_TRUE(std::isnan(t.value("no_such_feature")));
}

TEST(FeaturesCatalog, KeyAndChordNames) {
    EXPECT_EQ(keyName(9, true), "A minor");
    EXPECT_EQ(keyName(6, false), "F# major");
    ChordEvent c;
    c.root = 10;
    c.minor = true;
    EXPECT_EQ(c.name(), "A#m");
}

TEST(FeaturesHarmony, FunctionsInMajorAndMinorKeys) {
    using F = HarmonicFunction;
    // C major: C T, F S, G D, Am T, Dm S, Em T, D major Other.
    EXPECT_EQ(harmonicFunction(0, false, 0, false), F::Tonic);
    EXPECT_EQ(harmonicFunction(5, false, 0, false), F::Subdominant);
    EXPECT_EQ(harmonicFunction(7, false, 0, false), F::Dominant);
    EXPECT_EQ(harmonicFunction(9, true, 0, false), F::Tonic);
    EXPECT_EQ(harmonicFunction(2, true, 0, false), F::Subdominant);
    EXPECT_EQ(harmonicFunction(2, false, 0, false), F::Other);
    // A minor: Am T, C T, Dm S, F S, E D, G D.
    EXPECT_EQ(harmonicFunction(9, true, 9, true), F::Tonic);
    EXPECT_EQ(harmonicFunction(0, false, 9, true), F::Tonic);
    EXPECT_EQ(harmonicFunction(2, true, 9, true), F::Subdominant);
    EXPECT_EQ(harmonicFunction(5, false, 9, true), F::Subdominant);
    EXPECT_EQ(harmonicFunction(4, false, 9, true), F::Dominant);
    EXPECT_EQ(harmonicFunction(7, false, 9, true), F::Dominant);
    EXPECT_EQ(harmonicFunction(11, true, 9, true), F::Other);
}

TEST(FeaturesHarmony, PatternFrequenciesOfAKnownSequence) {
    using F = HarmonicFunction;
    // T S D T, with a repeated T and an Other chord that must be merged / skipped: T T S - D T.
    std::vector<ChordEvent> chords;
    for (F f : {F::Tonic, F::Tonic, F::Subdominant, F::Other, F::Dominant, F::Tonic}) {
        ChordEvent c;
        c.function = f;
        chords.push_back(c);
    }
    const auto freq = patternFrequencies(chords);
    const auto& pats = harmonicPatterns();
    auto at = [&](const HarmonicPattern& p) {
        for (size_t i = 0; i < pats.size(); ++i)
            if (pats[i] == p) return freq[i];
        return -1.0;
    };
    // Sequence T S D T: 3 two-step windows, 2 three-step windows.
    EXPECT_DOUBLE_EQ(at({F::Tonic, F::Subdominant}), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(at({F::Dominant, F::Tonic}), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(at({F::Tonic, F::Dominant}), 0.0);
    EXPECT_DOUBLE_EQ(at({F::Subdominant, F::Dominant, F::Tonic}), 0.5);
    EXPECT_DOUBLE_EQ(at({F::Tonic, F::Subdominant, F::Dominant}), 0.5);
    EXPECT_DOUBLE_EQ(at({F::Dominant, F::Tonic, F::Subdominant}), 0.0);
    // Too short a sequence: unknown, not zero.
    chords.resize(1);
    for (double v : patternFrequencies(chords)) EXPECT_TRUE(std::isnan(v));
}
