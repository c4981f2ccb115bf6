// SPDX-License-Identifier: GPL-3.0-or-later
// The features as an analyzer of the one-decode contract (runAnalyzers on synthesized files),
// the whole extractor on a known signal, the JSON form, and the failure paths.
#include <atomic>
#include <cmath>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/analysis/audio_analyzer.h"
#include "core/features/feature_analyzer.h"
#include "core/features/feature_json.h"
#include "tests/core/test_audio_files.h"
#include "tests/core/test_features_signals.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using namespace tagscope::features;
using namespace tagscope::test;

namespace {

/// A 12 s, 120 BPM drum loop over a C major cadence, at `rate` with `channels` identical channels.
std::vector<float> musicFrames(int rate, int channels) {
    auto drums = drumLoop(120, 12.0, rate);
    const auto chords = cadence(0, false, 1.5, 2, rate);
    for (size_t i = 0; i < drums.size() && i < chords.size(); ++i) drums[i] = 0.5f * drums[i] + chords[i];
    std::vector<float> frames;
    for (float v : drums)
        for (int c = 0; c < channels; ++c) frames.push_back(v);
    return frames;
}

} // namespace

TEST(FeaturesAnalyzer, OneDecodePassGivesTrackAndSegmentFeatures) {
    const auto dir = scratchDir("features_analyzer");
    const auto file = dir / "music.wav";
    ASSERT_TRUE(writeSound(file, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, musicFrames(44100, 2)));
    FeatureAnalyzer analyzer;
    analysis::AudioAnalyzer* const list[] = {&analyzer};
    auto ok = analysis::runAnalyzers(file, list);
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    const auto& r = analyzer.result();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->analysisSampleRate, kFeatureSampleRate);
    EXPECT_NEAR(r->durationSeconds, 12.0, 0.01);
    EXPECT_EQ(r->values.size(), featureCatalog().size());
    EXPECT_NEAR(r->value("tempo_bpm"), 120.0, 2.4);
    EXPECT_EQ(r->key, "C major");
    EXPECT_GT(r->value("key_strength"), 0.6);
    EXPECT_LT(r->value("loudness_lufs"), -3.0);
    EXPECT_GT(r->value("loudness_lufs"), -40.0);
    EXPECT_GT(r->value("onset_rate"), 1.5);
    EXPECT_GT(r->value("danceability"), 0.3);
    EXPECT_TRUE(std::isnan(r->value("vocal_presence")));  // filled by the tagger, not here
    ASSERT_EQ(r->segments.size(), 3u);                      // 0-5, 5-10, 10-12 s
    EXPECT_DOUBLE_EQ(r->segments[2].startSeconds, 10.0);
    EXPECT_NEAR(r->segments[2].endSeconds, 12.0, 0.01);
    for (const auto& s : r->segments) {
        EXPECT_EQ(s.values.size(), featureCatalog().size());
        EXPECT_NEAR(s.values[*featureIndex("spectral_centroid_hz")], r->value("spectral_centroid_hz"),
                    0.5 * r->value("spectral_centroid_hz"));
    }
    EXPECT_NEAR(r->segments[0].values[*featureIndex("tempo_bpm")], 120.0, 2.4);
    EXPECT_FALSE(r->chords.empty());
}

TEST(FeaturesAnalyzer, StereoFileIsMeasuredAsDualMonoAndMonoAsOneChannel) {
    const auto dir = scratchDir("features_loudness_channels");
    std::vector<float> mono;
    appendSine(mono, 1000, -23, 12.0, 48000);
    std::vector<float> stereo;
    for (float v : mono) stereo.insert(stereo.end(), {v, v});
    ASSERT_TRUE(writeSound(dir / "stereo.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 2, stereo));
    ASSERT_TRUE(writeSound(dir / "mono.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 1, mono));
    FeatureAnalyzer analyzer;
    analysis::AudioAnalyzer* const list[] = {&analyzer};
    ASSERT_TRUE(analysis::runAnalyzers(dir / "stereo.wav", list).has_value());
    EXPECT_NEAR(analyzer.result()->value("loudness_lufs"), -23.0, 0.1);
    ASSERT_TRUE(analysis::runAnalyzers(dir / "mono.wav", list).has_value());
    EXPECT_NEAR(analyzer.result()->value("loudness_lufs"), -26.0, 0.1);
}

TEST(FeaturesAnalyzer, FailuresNameTheFileAndLeaveNoResult) {
    FeatureAnalyzer analyzer;
    analysis::AudioAnalyzer* const list[] = {&analyzer};
    const auto missing = scratchDir("features_missing") / "nowhere.wav";
    auto r = analysis::runAnalyzers(missing, list);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("nowhere.wav"), std::string::npos);
    EXPECT_FALSE(analyzer.result().has_value());

    const auto dir = scratchDir("features_cancel");
    ASSERT_TRUE(writeSound(dir / "a.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, 1, sine(440, -6, 3.0)));
    CancelToken cancel;
    cancel.cancel();
    auto c = analysis::runAnalyzers(dir / "a.wav", list, {}, {}, &cancel);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().kind, Error::Kind::Cancelled);
    EXPECT_FALSE(analyzer.result().has_value());

    // A too-low rate is refused at start(), not crashed on.
    analysis::StreamInfo bad{dir / "a.wav", 100, 100, 1, 1.0};
    auto s = analyzer.start(bad);
    ASSERT_FALSE(s.has_value());
    EXPECT_NE(s.error().message.find("a.wav"), std::string::npos);
    analyzer.abort();
}

TEST(FeaturesAnalyzer, SilenceGivesUnknownValuesNotErrors) {
    auto r = extractFeatures(std::vector<float>(kFeatureRate * 6, 0.0f), kFeatureRate);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->key, "");
    for (const char* k : {"tempo_bpm", "loudness_lufs", "spectral_centroid_hz", "key_strength", "dissonance"})
        EXPECT_TRUE(std::isnan(r->value(k))) << k;
    EXPECT_EQ(r->segments.size(), 2u);
    auto empty = extractFeatures({}, kFeatureRate);
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->segments.empty());
    EXPECT_FALSE(extractFeatures(sine(440, -6, 1.0), 10).has_value());
}

// Regression: aubio plans its FFTs on the extractor's rhythm thread while the spectral pass plans
// its own; before FFTW's planner was made thread-safe this corrupted the heap now and then
// (CI: "double free or corruption" on a silent clip). Several extractions at once, repeatedly.
TEST(FeaturesAnalyzer, ConcurrentExtractionsShareTheFftPlannerSafely) {
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 3; ++t)
        threads.emplace_back([&ok] {
            for (int i = 0; i < 4; ++i)
                if (extractFeatures(std::vector<float>(kFeatureRate * 2, 0.0f), kFeatureRate)) ++ok;
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 12);
}

TEST(FeaturesAnalyzer, JsonHasTheIssueKeysAndPerSegmentArrays) {
    auto r = extractFeatures(cadence(9, true, 1.0, 3), kFeatureRate);  // A minor, 12 s
    ASSERT_TRUE(r.has_value());
    const auto j = featuresToJson(*r);
    EXPECT_EQ(j.at("key"), "A minor");
    for (const char* k : {"tempo_bpm", "key_strength", "loudness_lufs", "loudness_range_lu", "onset_rate",
                          "spectral_centroid_hz", "spectral_flux", "spectral_rolloff_hz", "zero_crossing_rate"})
        EXPECT_TRUE(j.contains(k)) << k;
    EXPECT_TRUE(j.at("vocal_presence").is_null());  // NaN is written as null
    const auto& seg = j.at("segments");
    EXPECT_EQ(seg.at("start_seconds").size(), r->segments.size());
    EXPECT_EQ(seg.at("key").size(), r->segments.size());
    EXPECT_EQ(seg.at("tempo_bpm").size(), r->segments.size());
    EXPECT_FALSE(j.at("chords").empty());
    EXPECT_EQ(j.at("chords")[0].at("chord"), "Am");
    EXPECT_EQ(j.at("chords")[0].at("function"), "T");
    EXPECT_EQ(catalogToJson().size(), featureCatalog().size());
}
