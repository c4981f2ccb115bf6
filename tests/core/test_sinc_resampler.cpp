// SPDX-License-Identifier: GPL-3.0-or-later
// SincResampler (torchaudio's default resampling filter) on synthetic signals.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <thread>

#include <gtest/gtest.h>

#include "core/dsp/sinc_resampler.h"

using tagscope::Error;
using tagscope::dsp::SincResampler;

namespace {

std::vector<float> tone(double hz, int rate, size_t n) {
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = float(std::sin(2.0 * std::numbers::pi * hz * double(i) / rate));
    return x;
}

float maxAbs(std::span<const float> x) {
    float m = 0.0f;
    for (float v : x) m = std::max(m, std::abs(v));
    return m;
}

} // namespace

TEST(SincResampler, OutputLengthIsCeilingOfScaledLength) {
    EXPECT_EQ(SincResampler::outputLength(22050, 22050, 16000), 16000);
    EXPECT_EQ(SincResampler::outputLength(1, 22050, 16000), 1);
    EXPECT_EQ(SincResampler::outputLength(441, 22050, 16000), 320);
    EXPECT_EQ(SincResampler::outputLength(442, 22050, 16000), 321);
    EXPECT_EQ(SincResampler::outputLength(0, 22050, 16000), 0);
    auto r = SincResampler::create(44100, 16000);
    ASSERT_TRUE(r) << r.error().message;
    for (size_t n : {1u, 2u, 100u, 441u, 44100u, 44101u}) {
        const auto y = r->process(std::vector<float>(n, 0.25f));
        EXPECT_EQ(int64_t(y.size()), SincResampler::outputLength(int64_t(n), 44100, 16000)) << n;
        for (float v : y) ASSERT_TRUE(std::isfinite(v));
    }
    EXPECT_TRUE(r->process({}).empty());
}

TEST(SincResampler, KeepsAPassbandToneAndItsLevel) {
    for (auto [from, to] : {std::pair{22050, 16000}, {44100, 16000}, {16000, 22050}, {48000, 44100}}) {
        auto r = SincResampler::create(from, to);
        ASSERT_TRUE(r) << r.error().message;
        const auto y = r->process(tone(1000.0, from, size_t(from)));
        const auto expected = tone(1000.0, to, y.size());
        float err = 0.0f;
        for (size_t i = 200; i + 200 < y.size(); ++i) err = std::max(err, std::abs(y[i] - expected[i]));
        EXPECT_LT(err, 3e-3f) << from << " -> " << to;
    }
}

TEST(SincResampler, PassesDirectCurrentWithUnitGain) {
    auto r = SincResampler::create(22050, 16000);
    ASSERT_TRUE(r);
    const auto y = r->process(std::vector<float>(22050, 1.0f));
    for (size_t i = 200; i + 200 < y.size(); ++i) ASSERT_NEAR(y[i], 1.0f, 1e-3f) << i;
    // The edges are zero-padded (as torchaudio's), so the first output sees only the right
    // half of the kernel: half its sum plus half the centre tap, 0.5 + 0.5 * 0.99 * 320 / 441.
    EXPECT_NEAR(y.front(), 0.5f + 0.5f * 0.99f * 320.0f / 441.0f, 2e-3f);
}

TEST(SincResampler, SuppressesToneAboveTheNewNyquist) {
    auto r = SincResampler::create(22050, 16000);
    ASSERT_TRUE(r);
    const auto y = r->process(tone(10000.0, 22050, 44100));
    EXPECT_LT(maxAbs(std::span<const float>(y).subspan(1000, y.size() - 2000)), 0.02f); // about -40 dB
    const auto passband = r->process(tone(5000.0, 22050, 44100));
    EXPECT_GT(maxAbs(std::span<const float>(passband).subspan(1000, passband.size() - 2000)), 0.98f);
}

TEST(SincResampler, SameRateIsIdentity) {
    auto r = SincResampler::create(16000, 16000);
    ASSERT_TRUE(r);
    const auto x = tone(440.0, 16000, 1000);
    EXPECT_EQ(r->process(x), x);
}

TEST(SincResampler, SameResultFromTwoThreads) {
    auto r = SincResampler::create(22050, 16000);
    ASSERT_TRUE(r);
    const auto x = tone(300.0, 22050, 22050 * 2);
    const auto ref = r->process(x);
    bool same1 = true, same2 = true;
    std::thread a([&] { for (int i = 0; i < 10; ++i) same1 = same1 && r->process(x) == ref; });
    std::thread b([&] { for (int i = 0; i < 10; ++i) same2 = same2 && r->process(x) == ref; });
    a.join();
    b.join();
    EXPECT_TRUE(same1);
    EXPECT_TRUE(same2);
}

TEST(SincResampler, RejectsUnusableRates) {
    for (auto [from, to] : {std::pair{0, 16000}, {22050, 0}, {-44100, 16000}, {1000003, 999983}}) {
        auto r = SincResampler::create(from, to);
        ASSERT_FALSE(r) << from << " -> " << to;
        EXPECT_EQ(r.error().kind, Error::Kind::InvalidInput);
        EXPECT_NE(r.error().message.find("cannot resample"), std::string::npos);
    }
}
