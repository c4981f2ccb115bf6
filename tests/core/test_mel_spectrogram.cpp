// SPDX-License-Identifier: GPL-3.0-or-later
// MelSpectrogram against torchaudio 0.13's goldens (../shared/golden/mel.safetensors) and
// against properties of synthetic signals.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <numbers>
#include <thread>

#include <gtest/gtest.h>

#include "core/dsp/mel_filterbank.h"
#include "core/dsp/mel_spectrogram.h"
#include "core/io/safetensors.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using dsp::MelConfig;
using dsp::MelSpectrogram;

namespace {

MelConfig sotaConfig(int nMels) { return MelConfig{16000, 512, 256, 0.0, 8000.0, nMels}; }
MelConfig mttConfig() { return MelConfig{22050, 1024, 512, 0.0, 11025.0, 128}; }

struct GoldenCase {
    const char* key;
    MelConfig config;
    const char* clip;
};

std::vector<float> sine(double hz, int sampleRate, size_t n, float amplitude = 0.5f) {
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i)
        x[i] = amplitude * float(std::sin(2.0 * std::numbers::pi * hz * double(i) / sampleRate));
    return x;
}

/// Deterministic pseudo-random noise in [-1, 1] (a small LCG; no library state).
std::vector<float> noise(size_t n, uint32_t seed) {
    std::vector<float> x(n);
    for (auto& v : x) {
        seed = seed * 1664525u + 1013904223u;
        v = float(seed >> 8) / float(1u << 23) - 1.0f;
    }
    return x;
}

void expectGoldenMatch(const GoldenCase& gc) {
    auto mel = io::readSafetensors(test::sharedPath("golden/mel.safetensors"));
    ASSERT_TRUE(mel) << mel.error().message;
    auto clip = io::readSafetensors(test::sharedPath(std::string("golden/") + gc.clip + ".safetensors"));
    ASSERT_TRUE(clip) << clip.error().message;
    const auto& audio = clip->tensors.at("audio").data;
    const size_t n = size_t(10 * gc.config.sampleRate);
    ASSERT_GE(audio.size(), n);

    const std::string key = gc.key;
    const HostTensor& refFb = mel->tensors.at(key + "_fb");
    const HostTensor& refPower = mel->tensors.at(key + "_power");
    const HostTensor& refDb = mel->tensors.at(key + "_db");

    auto front = MelSpectrogram::create(gc.config);
    ASSERT_TRUE(front) << front.error().message;
    ASSERT_EQ(refFb.shape, (std::vector<int64_t>{gc.config.nFreqs(), gc.config.nMels}));
    const auto& fb = front->filterbank();
    ASSERT_EQ(fb.size(), refFb.data.size());
    double fbErr = 0.0;
    for (size_t i = 0; i < fb.size(); ++i) fbErr = std::max(fbErr, double(std::abs(fb[i] - refFb.data[i])));
    EXPECT_LE(fbErr, 1e-6);
    EXPECT_EQ(fbErr, 0.0) << "the filterbank follows torch's float32 operations and should match bit for bit";

    const auto samples = std::span<const float>(audio).first(n);
    const auto power = front->power(samples);
    const auto db = front->decibels(samples);
    ASSERT_EQ(refPower.shape, (std::vector<int64_t>{power.nMels, power.nFrames}));
    ASSERT_EQ(refDb.shape, (std::vector<int64_t>{db.nMels, db.nFrames}));

    // NOTE: torch (pocketfft) and FFTW are both float32 FFTs with different rounding. A bin's
    // rounding error scales with the frame's loudest components, so a band 60+ dB below its
    // frame's loudest band carries a relative error that neither side can avoid: against a
    // float64 FFT the golden itself is off by up to 0.018 dB there (measured in development).
    // The 1e-3 dB tolerance therefore applies where the band is within 60 dB of its frame's
    // loudest band; every other value above -80 dB must be within the round-off bound 0.05 dB.
    std::vector<float> frameMax(size_t(db.nFrames), -1e30f);
    for (int m = 0; m < db.nMels; ++m)
        for (int t = 0; t < db.nFrames; ++t)
            frameMax[size_t(t)] = std::max(frameMax[size_t(t)], refDb.data[size_t(m) * size_t(db.nFrames) + size_t(t)]);
    double dbErrNear = 0.0, dbErrAll = 0.0, powerRelErr = 0.0;
    size_t near = 0, all = 0;
    for (int m = 0; m < db.nMels; ++m) {
        for (int t = 0; t < db.nFrames; ++t) {
            const size_t i = size_t(m) * size_t(db.nFrames) + size_t(t);
            if (refDb.data[i] <= -80.0f) continue;
            ++all;
            const double err = std::abs(db.values[i] - refDb.data[i]);
            dbErrAll = std::max(dbErrAll, err);
            if (refDb.data[i] < frameMax[size_t(t)] - 60.0f) continue;
            ++near;
            dbErrNear = std::max(dbErrNear, err);
            const double relErr = std::abs(power.values[i] - refPower.data[i]) / double(refPower.data[i]);
            powerRelErr = std::max(powerRelErr, relErr);
        }
    }
    EXPECT_GT(near, refDb.data.size() / 2) << "the golden is mostly silent; the comparison means little";
    EXPECT_LE(dbErrNear, 1e-3);
    EXPECT_LE(powerRelErr, 2.5e-4); // 1e-3 dB is a relative power error of 2.3e-4
    EXPECT_LE(dbErrAll, 0.05);
    std::cout << "[ golden   ] " << key << ": filterbank max abs err " << fbErr << "; within 60 dB of the frame's "
              << "loudest band (" << near << " values): dB err " << dbErrNear << ", power rel err " << powerRelErr
              << "; all " << all << " values above -80 dB: dB err " << dbErrAll << "\n";
}

} // namespace

TEST(MelSpectrogramGolden, Sota96MatchesTorchaudio) {
    TAGSCOPE_REQUIRE_SHARED("golden/mel.safetensors");
    TAGSCOPE_REQUIRE_SHARED("golden/clip16k.safetensors");
    expectGoldenMatch({"sota96", sotaConfig(96), "clip16k"});
}

TEST(MelSpectrogramGolden, Sota128MatchesTorchaudio) {
    TAGSCOPE_REQUIRE_SHARED("golden/mel.safetensors");
    TAGSCOPE_REQUIRE_SHARED("golden/clip16k.safetensors");
    expectGoldenMatch({"sota128", sotaConfig(128), "clip16k"});
}

TEST(MelSpectrogramGolden, Mtt128MatchesTorchaudio) {
    TAGSCOPE_REQUIRE_SHARED("golden/mel.safetensors");
    TAGSCOPE_REQUIRE_SHARED("golden/clip22k.safetensors");
    expectGoldenMatch({"mtt128", mttConfig(), "clip22k"});
}

TEST(MelSpectrogram, FrameCountIsOnePlusSamplesOverHop) {
    const MelSpectrogram front(sotaConfig(96));
    for (size_t n : {257u, 511u, 512u, 513u, 1000u, 16000u, 16127u}) {
        const auto s = front.power(noise(n, 7));
        EXPECT_EQ(s.nFrames, int(1 + n / 256)) << n << " samples";
        EXPECT_EQ(s.nFrames, front.config().frameCount(n));
        EXPECT_EQ(s.nMels, 96);
        EXPECT_EQ(s.values.size(), size_t(s.nFrames) * 96u);
    }
}

TEST(MelSpectrogram, PureToneEnergyPeaksInItsMelBand) {
    const MelConfig config = sotaConfig(96);
    const MelSpectrogram front(config);
    const auto& fb = front.filterbank();
    for (double hz : {218.75, 1000.0, 3156.25, 6500.0}) { // FFT bin centres
        const auto s = front.power(sine(hz, config.sampleRate, 16000));
        // The band whose filter weighs the tone's FFT bin most must hold the most energy.
        const int bin = int(std::lround(hz * config.nFft / config.sampleRate));
        int expected = 0;
        for (int m = 1; m < config.nMels; ++m)
            if (fb[size_t(bin) * 96 + size_t(m)] > fb[size_t(bin) * 96 + size_t(expected)]) expected = m;
        const int t = s.nFrames / 2;
        int loudest = 0;
        for (int m = 1; m < s.nMels; ++m)
            if (s.at(m, t) > s.at(loudest, t)) loudest = m;
        EXPECT_EQ(loudest, expected) << hz << " Hz";
        // A mel band far away from the tone holds almost nothing (Hann side lobes only).
        const int far = expected < 48 ? 95 : 0;
        EXPECT_LT(s.at(far, t), 1e-6f * s.at(loudest, t)) << hz << " Hz";
    }
}

TEST(MelSpectrogram, SineAmplitudeGivesExpectedPower) {
    // A bin-centred sine of amplitude A through a periodic Hann window of N points has
    // |X(k)| = A * N / 4 at its bin; the mel band weighs that bin by the filterbank entry.
    const MelConfig config = sotaConfig(96);
    const MelSpectrogram front(config);
    const int bin = 64; // 2000 Hz, exactly on a bin
    const auto s = front.power(sine(bin * 16000.0 / 512, 16000, 8000, 0.25f));
    const auto& fb = front.filterbank();
    const double binPower = std::pow(0.25 * 512 / 4, 2);
    const double neighbourPower = binPower / 4; // Hann's neighbouring bins hold A*N/8
    const int t = s.nFrames / 2;
    for (int m = 0; m < 96; ++m) {
        auto weight = [&](int k) { return double(fb[size_t(k) * 96 + size_t(m)]); };
        const double expected = weight(bin) * binPower + (weight(bin - 1) + weight(bin + 1)) * neighbourPower;
        EXPECT_NEAR(s.at(m, t), expected, 1e-3 * binPower) << "mel band " << m;
    }
}

TEST(MelSpectrogram, DecibelsAreTenLog10ClampedAt1e10) {
    dsp::Spectrogram s{1, 4, {1.0f, 1e-3f, 0.0f, 1e-12f}};
    MelSpectrogram::toDecibels(s);
    EXPECT_FLOAT_EQ(s.values[0], 0.0f);
    EXPECT_NEAR(s.values[1], -30.0f, 1e-4);
    EXPECT_NEAR(s.values[2], -100.0f, 1e-4);
    EXPECT_NEAR(s.values[3], -100.0f, 1e-4);

    const MelSpectrogram front(sotaConfig(96));
    const auto x = noise(4000, 3);
    const auto power = front.power(x);
    const auto db = front.decibels(x);
    ASSERT_EQ(db.values.size(), power.values.size());
    for (size_t i = 0; i < db.values.size(); ++i)
        ASSERT_FLOAT_EQ(db.values[i], 10.0f * std::log10(std::max(power.values[i], 1e-10f)));
}

TEST(MelSpectrogram, SilenceIsMinus100Db) {
    const MelSpectrogram front(sotaConfig(96));
    const auto db = front.decibels(std::vector<float>(5000, 0.0f));
    for (float v : db.values) ASSERT_FLOAT_EQ(v, -100.0f);
}

TEST(MelSpectrogram, EmptyInputGivesNoFrames) {
    const MelSpectrogram front(sotaConfig(96));
    const auto s = front.decibels({});
    EXPECT_EQ(s.nFrames, 0);
    EXPECT_EQ(s.nMels, 96);
    EXPECT_TRUE(s.values.empty());
}

TEST(MelSpectrogram, ShortInputIsZeroExtendedToReflectablelength) {
    const MelSpectrogram front(sotaConfig(96));
    for (size_t n : {1u, 100u, 255u, 256u}) {
        const auto x = noise(n, 11);
        const auto s = front.power(x);
        EXPECT_EQ(s.nFrames, int(1 + n / 256)) << n;
        // Same as the signal explicitly zero-extended to 257 samples, first frames kept.
        std::vector<float> extended = x;
        extended.resize(257, 0.0f);
        const auto e = front.power(extended);
        for (int m = 0; m < 96; ++m)
            for (int t = 0; t < s.nFrames; ++t) ASSERT_EQ(s.at(m, t), e.at(m, t)) << n;
        const bool anyEnergy = std::any_of(s.values.begin(), s.values.end(), [](float v) { return v > 0; });
        EXPECT_TRUE(anyEnergy) << n;
        for (float v : s.values) ASSERT_TRUE(std::isfinite(v));
    }
}

TEST(MelSpectrogram, ComputesTheSameFromTwoThreads) {
    const MelSpectrogram front(mttConfig());
    const auto a = noise(22050 * 3, 5);
    const auto b = sine(440.0, 22050, 22050 * 3);
    const auto refA = front.power(a).values;
    const auto refB = front.power(b).values;
    std::vector<float> outA, outB;
    bool sameA = true, sameB = true;
    std::thread ta([&] { for (int i = 0; i < 20 && sameA; ++i) sameA = front.power(a).values == refA; });
    std::thread tb([&] { for (int i = 0; i < 20 && sameB; ++i) sameB = front.power(b).values == refB; });
    ta.join();
    tb.join();
    EXPECT_TRUE(sameA);
    EXPECT_TRUE(sameB);
}

TEST(MelSpectrogram, ConstructsFromSeveralThreadsAtOnce) {
    std::vector<std::vector<float>> results(4);
    const auto x = noise(8000, 9);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < results.size(); ++i)
        threads.emplace_back([&, i] { results[i] = MelSpectrogram(sotaConfig(96)).power(x).values; });
    for (auto& t : threads) t.join();
    for (size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i], results[0]);
}

TEST(MelSpectrogram, RejectsUnusableSettings) {
    auto bad = [](MelConfig c) {
        auto r = MelSpectrogram::create(c);
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().kind, Error::Kind::InvalidInput);
            EXPECT_NE(r.error().message.find("mel spectrogram settings"), std::string::npos);
        }
        EXPECT_THROW(MelSpectrogram{c}, std::invalid_argument);
    };
    MelConfig c = sotaConfig(96);
    c.sampleRate = 0;
    bad(c);
    c = sotaConfig(96);
    c.nFft = 511;
    bad(c);
    c = sotaConfig(96);
    c.hopLength = 0;
    bad(c);
    c = sotaConfig(96);
    c.nMels = 0;
    bad(c);
    c = sotaConfig(96);
    c.fMax = 9000.0;
    bad(c);
    c = sotaConfig(96);
    c.fMin = 8000.0;
    bad(c);
    EXPECT_TRUE(MelSpectrogram::create(sotaConfig(96)));
}

TEST(MelFilterbank, LinspaceMatchesTorchEndpointsAndSymmetry) {
    // torch.linspace hits both end points exactly and is monotonic.
    for (int steps : {2, 17, 98, 130, 257, 513}) {
        const auto v = dsp::detail::torchLinspace(0.0f, 8000.0f, steps);
        ASSERT_EQ(v.size(), size_t(steps));
        EXPECT_EQ(v.front(), 0.0f);
        EXPECT_EQ(v.back(), 8000.0f);
        for (int i = 1; i < steps; ++i) ASSERT_GT(v[size_t(i)], v[size_t(i) - 1]);
    }
}

TEST(MelFilterbank, TrianglesPeakAtOneAndPartitionTheirRange) {
    const auto fb = dsp::melFilterbank(sotaConfig(40));
    for (int m = 0; m < 40; ++m) {
        float peak = 0.0f;
        for (int k = 0; k < 257; ++k) peak = std::max(peak, fb[size_t(k) * 40 + size_t(m)]);
        EXPECT_GT(peak, 0.5f) << m;
        EXPECT_LE(peak, 1.0f) << m;
    }
    // Between the first and last centre, neighbouring triangles sum to one.
    for (int k = 20; k < 230; ++k) {
        float sum = 0.0f;
        for (int m = 0; m < 40; ++m) sum += fb[size_t(k) * 40 + size_t(m)];
        EXPECT_NEAR(sum, 1.0f, 1e-5) << "bin " << k;
    }
}
