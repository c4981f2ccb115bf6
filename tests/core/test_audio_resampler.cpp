// SPDX-License-Identifier: GPL-3.0-or-later
// Resampling (streaming and whole-signal) and the pure checks behind the decoder's errors.
#include <cmath>
#include <complex>
#include <numbers>

#include <gtest/gtest.h>

#include "core/audio/audio_checks.h"
#include "core/audio/audio_decoder.h"
#include "core/audio/resampler.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

namespace tagscope::audio {
namespace {

// Power of `signal` at `freq` Hz (Goertzel), normalised by length.
double powerAt(std::span<const float> signal, int rate, double freq) {
    const double w = 2.0 * std::numbers::pi * freq / rate;
    std::complex<double> acc{0.0, 0.0};
    for (size_t i = 0; i < signal.size(); ++i) acc += double(signal[i]) * std::polar(1.0, -w * double(i));
    return std::norm(acc) / double(signal.size() * signal.size());
}

// Frequency estimated from upward zero crossings over the middle half of the signal.
double zeroCrossingFrequency(std::span<const float> signal, int rate) {
    const size_t from = signal.size() / 4, to = 3 * signal.size() / 4;
    size_t first = 0, last = 0, count = 0;
    for (size_t i = from + 1; i < to; ++i) {
        if (signal[i - 1] < 0.0f && signal[i] >= 0.0f) {
            if (count == 0) first = i;
            last = i;
            ++count;
        }
    }
    return count > 1 ? double(count - 1) * rate / double(last - first) : 0.0;
}

TEST(Resampler, OutputLengthIsExactCeil) {
    EXPECT_EQ(Resampler::outputLength(88200, 44100, 16000), 32000);
    EXPECT_EQ(Resampler::outputLength(1355168, 22050, 16000), 983342); // 983341.6 rounded up
    EXPECT_EQ(Resampler::outputLength(1, 44100, 16000), 1);
    EXPECT_EQ(Resampler::outputLength(0, 44100, 16000), 0);
    EXPECT_EQ(Resampler::outputLength(int64_t(1) << 40, 48000, 768000), int64_t(1) << 44);
}

TEST(Resampler, RejectsImpossibleRatios) {
    EXPECT_FALSE(Resampler::create(0, 16000));
    EXPECT_FALSE(Resampler::create(1000, 768000)); // ratio 768 > 256
    EXPECT_FALSE(resample(std::vector<float>(10), 44100, -1));
    EXPECT_TRUE(Resampler::create(44100, 16000));
}

TEST(Resampler, ToneKeepsItsFrequencyAmplitudeAndLength) {
    const auto tone = test::sineFrames(44100, 1, 88200, 1000.0); // 2 s, amplitude 0.5
    auto out = resample(tone, 44100, 16000);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(out->size(), 32000u);
    EXPECT_NEAR(zeroCrossingFrequency(*out, 16000), 1000.0, 1.0);
    const std::span<const float> middle(out->data() + 8000, 16000);
    EXPECT_GT(powerAt(middle, 16000, 1000.0), 1e5 * powerAt(middle, 16000, 1500.0));
    double energy = 0.0;
    for (float v : middle) energy += double(v) * v;
    EXPECT_NEAR(std::sqrt(energy / double(middle.size())), 0.5 / std::numbers::sqrt2, 1e-3);
    // Time-aligned: the first output sample is the first input sample (sin 0 = 0), and the
    // peak lands where the input's would (t = 0.25 ms -> 4th sample at 16 kHz).
    EXPECT_NEAR((*out)[0], 0.0f, 0.02f);
    EXPECT_NEAR((*out)[4], 0.5f, 0.02f);
}

TEST(Resampler, FasterQualitiesKeepTheToneButDifferFromBest) {
    const auto tone = test::sineFrames(44100, 1, 44100, 1000.0);
    std::vector<float> best, fastest;
    for (auto [quality, out] : {std::pair{ResampleQuality::Best, &best}, std::pair{ResampleQuality::Fastest, &fastest}}) {
        auto r = Resampler::create(44100, 16000, quality);
        ASSERT_TRUE(r);
        ASSERT_TRUE(r->process(tone, *out));
        ASSERT_TRUE(r->finish(*out));
    }
    ASSERT_NEAR(double(fastest.size()), double(best.size()), 2.0);
    EXPECT_NEAR(zeroCrossingFrequency(fastest, 16000), 1000.0, 1.0);
    float maxDiff = 0.0f;
    for (size_t i = 4000; i < 12000; ++i) maxDiff = std::max(maxDiff, std::abs(fastest[i] - best[i]));
    EXPECT_GT(maxDiff, 0.0f) << "the converters should really differ";
    EXPECT_LT(maxDiff, 0.01f) << "but only slightly on an in-band tone";
}

TEST(Resampler, DecodeWithTorchaudioQualityKeepsTheToneAndLength) {
    const auto path = test::scratchDir("audio_resample_torchaudio") / "tone.wav";
    ASSERT_TRUE(test::writeSound(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, test::sineFrames(44100, 2, 44100, 1000.0)));
    auto best = decodeAudio(path, {.targetSampleRate = 16000});
    auto sinc = decodeAudio(path, {.targetSampleRate = 16000, .quality = ResampleQuality::Torchaudio});
    ASSERT_TRUE(best && sinc) << (best ? sinc.error().message : best.error().message);
    EXPECT_EQ(sinc->sampleRate, 16000);
    EXPECT_EQ(sinc->samples.size(), best->samples.size());
    EXPECT_NEAR(zeroCrossingFrequency(sinc->samples, 16000), 1000.0, 1.0);
    float maxDiff = 0.0f;
    for (size_t i = 1000; i + 1000 < best->samples.size(); ++i)
        maxDiff = std::max(maxDiff, std::abs(sinc->samples[i] - best->samples[i]));
    EXPECT_GT(maxDiff, 0.0f);
    EXPECT_LT(maxDiff, 0.01f);
}

TEST(Resampler, StreamingInBlocksEqualsOneShot) {
    const auto tone = test::sineFrames(22050, 1, 50000, 330.0);
    auto whole = resample(tone, 22050, 16000);
    ASSERT_TRUE(whole);
    auto r = Resampler::create(22050, 16000);
    ASSERT_TRUE(r);
    std::vector<float> streamed;
    for (size_t at = 0; at < tone.size(); at += 7001) {
        const size_t n = std::min<size_t>(7001, tone.size() - at);
        ASSERT_TRUE(r->process(std::span(tone).subspan(at, n), streamed));
    }
    ASSERT_TRUE(r->finish(streamed));
    // The converter's own length is within a sample or two of ceil(n * ratio).
    ASSERT_NEAR(double(streamed.size()), double(whole->size()), 2.0);
    for (size_t i = 0; i < whole->size() - 2; ++i) ASSERT_NEAR(streamed[i], (*whole)[i], 1e-6f) << i;
}

TEST(Resampler, DecodeWithTargetRateMatchesResamplingTheNativeDecode) {
    const auto path = test::scratchDir("audio_resample_decode") / "tone.wav";
    ASSERT_TRUE(test::writeSound(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2,
                                 test::sineFrames(44100, 2, 200000, 1000.0))); // > 1 read block
    auto native = decodeAudio(path);
    auto at16k = decodeAudio(path, {.targetSampleRate = 16000});
    ASSERT_TRUE(native && at16k);
    EXPECT_EQ(at16k->sampleRate, 16000);
    auto reference = resample(native->samples, 44100, 16000);
    ASSERT_TRUE(reference);
    ASSERT_EQ(at16k->samples.size(), reference->size());
    for (size_t i = 0; i < reference->size(); ++i) ASSERT_NEAR(at16k->samples[i], (*reference)[i], 1e-6f) << i;
    EXPECT_NEAR(zeroCrossingFrequency(at16k->samples, 16000), 1000.0, 1.0);
}

TEST(Resampler, EqualRatesCopyAndEmptyInputGivesEmptyOutput) {
    const std::vector<float> x{0.1f, -0.2f, 0.3f};
    EXPECT_EQ(*resample(x, 16000, 16000), x);
    auto empty = resample({}, 44100, 16000);
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(AudioChecks, StreamParameters) {
    EXPECT_TRUE(detail::checkStreamParameters("a.wav", 2, 44100, 10));
    EXPECT_FALSE(detail::checkStreamParameters("a.wav", 0, 44100, 10));
    EXPECT_FALSE(detail::checkStreamParameters("a.wav", 1, 999, 10));
    EXPECT_TRUE(detail::checkStreamParameters("a.wav", 1, kMaxSampleRate, 10));
    EXPECT_FALSE(detail::checkStreamParameters("a.wav", 1, kMaxSampleRate + 1, 10));
    EXPECT_FALSE(detail::checkStreamParameters("a.wav", 1, 44100, 0));
}

TEST(AudioChecks, HeaderLogTruncationRules) {
    using detail::checkHeaderAgainstLog;
    EXPECT_TRUE(checkHeaderAgainstLog("a.wav", "File : a.wav\ndata : 176400\nEnd\n", 44100, 44100));
    auto cut = checkHeaderAgainstLog("a.wav", "RIFF : 176436 (should be 99992)\ndata : 176400 (should be 99956)\n",
                                     24989, 44100);
    ASSERT_FALSE(cut);
    EXPECT_NE(cut.error().message.find("truncated"), std::string::npos);
    EXPECT_NE(cut.error().message.find("1.00 s"), std::string::npos) << cut.error().message;
    // A RIFF size mismatch alone (e.g. trailing metadata) is not missing audio.
    EXPECT_TRUE(checkHeaderAgainstLog("a.wav", "RIFF : 176436 (should be 99992)\ndata : 99956\n", 24989, 44100));
    // Streaming placeholders and a pad byte are not truncation.
    EXPECT_TRUE(checkHeaderAgainstLog("a.wav", "data : 4294967295 (should be 99956)\n", 24989, 44100));
    EXPECT_TRUE(checkHeaderAgainstLog("a.wav", "data : 99957 (should be 99956)\n", 24989, 44100));
    EXPECT_FALSE(checkHeaderAgainstLog("a.aiff", " SSND : 176408 (should be 99954)\n", 24986, 44100));
    EXPECT_FALSE(checkHeaderAgainstLog(
        "a.rf64", "*** Calculated frame count 24974 does not match value from 'ds64' chunk of 44100.\n", 24974, 44100));
}

} // namespace
} // namespace tagscope::audio
