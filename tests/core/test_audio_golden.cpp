// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding the real CC-BY clip and comparing with upstream's (librosa/torchaudio) decodes.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "core/audio/audio_decoder.h"
#include "core/io/safetensors.h"
#include "tests/support/test_paths.h"

namespace tagscope::audio {
namespace {

constexpr const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

struct Agreement {
    double correlation = 0.0;
    double maxAbsDiff = 0.0;
    double rmsDiff = 0.0;
};

Agreement compare(std::span<const float> a, std::span<const float> b) {
    const size_t n = std::min(a.size(), b.size());
    double ab = 0, aa = 0, bb = 0, sa = 0, sb = 0, d2 = 0, dmax = 0;
    for (size_t i = 0; i < n; ++i) {
        sa += a[i];
        sb += b[i];
    }
    const double ma = sa / double(n), mb = sb / double(n);
    for (size_t i = 0; i < n; ++i) {
        const double x = a[i] - ma, y = b[i] - mb, d = double(a[i]) - double(b[i]);
        ab += x * y;
        aa += x * x;
        bb += y * y;
        d2 += d * d;
        dmax = std::max(dmax, std::abs(d));
    }
    return {ab / std::sqrt(aa * bb), dmax, std::sqrt(d2 / double(n))};
}

std::vector<float> golden(const char* file) {
    auto st = io::readSafetensors(test::sharedPath(file));
    EXPECT_TRUE(st) << (st ? "" : st.error().message);
    if (!st || !st->tensors.count("audio")) return {};
    return st->tensors.at("audio").data;
}

TEST(AudioGolden, ProbeRealClip) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    auto info = probeAudio(test::sharedPath(kClip));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->sampleRate, 22050);
    EXPECT_EQ(info->channels, 1);
    EXPECT_EQ(info->format, "OGG (Vorbis)");
    EXPECT_NEAR(info->durationSeconds(), 61.5, 0.5);
}

TEST(AudioGolden, NativeRateDecodeMatchesUpstream) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    TAGSCOPE_REQUIRE_SHARED("golden/clip22k.safetensors");
    auto audio = decodeAudio(test::sharedPath(kClip));
    ASSERT_TRUE(audio) << audio.error().message;
    const auto reference = golden("golden/clip22k.safetensors");
    EXPECT_EQ(audio->sampleRate, 22050);
    ASSERT_EQ(audio->samples.size(), reference.size());
    const Agreement a = compare(audio->samples, reference);
    std::printf("[ golden 22.05k ] correlation %.9f, max |diff| %.3g, rms diff %.3g\n", a.correlation,
                a.maxAbsDiff, a.rmsDiff);
    EXPECT_GT(a.correlation, 0.999999);
    EXPECT_LT(a.maxAbsDiff, 1e-4);
}

TEST(AudioGolden, Decode16kMatchesUpstreamResample) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    TAGSCOPE_REQUIRE_SHARED("golden/clip16k.safetensors");
    auto audio = decodeAudio(test::sharedPath(kClip), {.targetSampleRate = 16000});
    ASSERT_TRUE(audio) << audio.error().message;
    const auto reference = golden("golden/clip16k.safetensors");
    EXPECT_EQ(audio->sampleRate, 16000);
    EXPECT_NEAR(audio->durationSeconds(), 61.0, 1.0);
    EXPECT_EQ(audio->samples.size(), reference.size());
    const Agreement a = compare(audio->samples, reference);
    std::printf("[ golden 16k ] correlation %.9f, max |diff| %.3g, rms diff %.3g\n", a.correlation,
                a.maxAbsDiff, a.rmsDiff);
    EXPECT_GT(a.correlation, 0.9999);
    EXPECT_LT(a.maxAbsDiff, 0.02);
}

TEST(AudioGolden, BundledDemoClipDecodes) {
    const auto clip = test::sourceDir() / "resources/demo/demo_clip.ogg";
    auto info = probeAudio(clip);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->format, "OGG (Vorbis)");
    EXPECT_EQ(info->sampleRate, 44100);
    EXPECT_NEAR(info->durationSeconds(), 30.0, 0.05);
    auto audio = decodeAudio(clip, {.targetSampleRate = 16000});
    ASSERT_TRUE(audio) << audio.error().message;
    EXPECT_EQ(audio->samples.size(), 480000u);
    float peak = 0.0f;
    for (float v : audio->samples) peak = std::max(peak, std::abs(v));
    EXPECT_GT(peak, 0.1f); // music, not silence
    EXPECT_LE(peak, 1.0f);
}

} // namespace
} // namespace tagscope::audio
