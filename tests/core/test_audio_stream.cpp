// SPDX-License-Identifier: GPL-3.0-or-later
// Streaming decode and resampling: block by block gives exactly the samples of a whole-file
// decode followed by a whole-signal resample (the path the analysis used before streaming).
#include <gtest/gtest.h>

#include <random>

#include "core/analysis/audio_analyzer.h"
#include "core/analysis/audio_hash_analyzer.h"
#include "core/audio/audio_stream.h"
#include "core/dsp/sinc_stream.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

/// A signal with no structure a filter could hide an off-by-one in: noise plus a chirp.
std::vector<float> noisyChirp(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-0.3f, 0.3f);
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = u(rng) + 0.4f * float(std::sin(1e-6 * double(i) * double(i)));
    return x;
}

/// SincStream fed in random block sizes (1 .. maxBlock samples).
std::vector<float> streamed(const dsp::SincResampler& kernel, const std::vector<float>& x, size_t maxBlock,
                            unsigned seed) {
    dsp::SincStream stream(kernel);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<size_t> size(1, maxBlock);
    std::vector<float> out;
    for (size_t at = 0; at < x.size();) {
        const size_t n = std::min(size(rng), x.size() - at);
        stream.push(std::span<const float>(x).subspan(at, n), out);
        at += n;
    }
    stream.finish(out);
    return out;
}

TEST(SincStream, BlockByBlockIsBitIdenticalToTheWholeSignal) {
    const std::pair<int, int> rates[] = {{44100, 16000}, {22050, 16000}, {48000, 16000}, {16000, 22050}, {8000, 16000}};
    for (auto [from, to] : rates) {
        auto kernel = dsp::SincResampler::create(from, to);
        ASSERT_TRUE(kernel);
        for (size_t n : {size_t(1), size_t(7), size_t(300), size_t(from) * 3 + 17}) {
            const auto x = noisyChirp(n, unsigned(n));
            const auto whole = kernel->process(x);
            for (size_t maxBlock : {size_t(1), size_t(97), size_t(65536)}) {
                const auto blocks = streamed(*kernel, x, maxBlock, unsigned(maxBlock));
                ASSERT_EQ(blocks.size(), whole.size()) << from << "->" << to << " n=" << n;
                EXPECT_EQ(blocks, whole) << from << "->" << to << " n=" << n << " block<=" << maxBlock;
            }
        }
    }
}

TEST(SincStream, HoldsOnlyAboutOneFilterLengthOfInput) {
    auto kernel = dsp::SincResampler::create(44100, 16000);
    ASSERT_TRUE(kernel);
    dsp::SincStream stream(*kernel);
    std::vector<float> out;
    const auto x = noisyChirp(44100 * 4, 3);
    for (size_t at = 0; at < x.size(); at += 4096) {
        stream.push(std::span<const float>(x).subspan(at, std::min<size_t>(4096, x.size() - at)), out);
        // Everything but the last filter's reach has been emitted.
        EXPECT_GE(stream.outputFrames(), int64_t(double(stream.inputFrames()) * 16000.0 / 44100.0) - 64);
    }
    stream.finish(out);
    EXPECT_EQ(out.size(), size_t(dsp::SincResampler::outputLength(int64_t(x.size()), 44100, 16000)));
}

std::filesystem::path stereoFile(const std::string& name, int rate, double seconds) {
    // NOTE: one folder per file: scratchDir() empties its folder, and ctest -j runs these tests in
    // parallel processes (a shared folder let one test delete another's file).
    const auto dir = test::scratchDir("audio_stream_" + name);
    const auto path = dir / (name + ".flac");
    auto frames = test::sineFrames(rate, 2, int64_t(seconds * rate), 330.0);
    const auto noise = noisyChirp(frames.size(), 11);
    for (size_t i = 0; i < frames.size(); ++i) frames[i] = 0.5f * frames[i] + 0.5f * noise[i];
    EXPECT_TRUE(test::writeSound(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, rate, 2, frames));
    return path;
}

std::vector<float> allBlocks(audio::AudioStream& stream) {
    std::vector<float> out, block;
    for (;;) {
        auto more = stream.next(block);
        EXPECT_TRUE(more) << more.error().message;
        if (!more) return out;
        out.insert(out.end(), block.begin(), block.end());
        if (!*more) return out;
    }
}

TEST(AudioStream, BlocksAtTheModelRateEqualWholeDecodeThenWholeResample) {
    const auto path = stereoFile("whole_vs_blocks", 44100, 3.3);
    // The reference: the whole file at its own rate, then torchaudio's sinc on the whole signal.
    auto native = audio::AudioStream::open(path);
    ASSERT_TRUE(native) << native.error().message;
    const auto original = allBlocks(*native);
    ASSERT_EQ(original.size(), size_t(3.3 * 44100));
    auto kernel = dsp::SincResampler::create(44100, 16000);
    const auto reference = kernel->process(original);

    for (int64_t blockFrames : {int64_t(1000), int64_t(4096), int64_t(0)}) {
        audio::DecodeOptions options;
        options.targetSampleRate = 16000;
        options.quality = audio::ResampleQuality::Torchaudio;
        auto stream = audio::AudioStream::open(path, options, blockFrames);
        ASSERT_TRUE(stream);
        EXPECT_EQ(stream->sampleRate(), 16000);
        EXPECT_EQ(allBlocks(*stream), reference) << "block frames " << blockFrames;
        auto decoded = audio::decodeAudio(path, options);
        ASSERT_TRUE(decoded);
        EXPECT_EQ(decoded->samples, reference);
    }
}

TEST(AudioStream, LibsamplerateBlocksMatchTheWholeSignalConverter) {
    const auto path = stereoFile("libsamplerate", 22050, 2.1);
    auto native = audio::decodeAudio(path);
    ASSERT_TRUE(native);
    auto reference = audio::resample(native->samples, 22050, 16000);
    ASSERT_TRUE(reference);
    audio::DecodeOptions options;
    options.targetSampleRate = 16000;
    options.quality = audio::ResampleQuality::Best;
    auto stream = audio::AudioStream::open(path, options, 777);
    ASSERT_TRUE(stream);
    const auto blocks = allBlocks(*stream);
    ASSERT_EQ(blocks.size(), reference->size());
    for (size_t i = 0; i < blocks.size(); ++i) ASSERT_NEAR(blocks[i], (*reference)[i], 1e-5f) << i;
}

TEST(AudioStream, ErrorsThatNeedTheWholeFileComeFromTheLastBlock) {
    const auto path = stereoFile("truncated", 44100, 2.0);
    test::truncateFile(path, std::filesystem::file_size(path) / 2);
    auto stream = audio::AudioStream::open(path, {}, 4096);
    ASSERT_TRUE(stream) << stream.error().message;
    std::vector<float> block;
    Result<bool> more = true;
    int blocks = 0;
    while (more && *more && blocks < 10000) {
        more = stream->next(block);
        ++blocks;
    }
    ASSERT_FALSE(more);
    EXPECT_NE(more.error().message.find("truncated"), std::string::npos) << more.error().message;
    EXPECT_NE(more.error().message.find("truncated.flac"), std::string::npos) << more.error().message;
}

TEST(AudioStream, RunAnalyzersFeedsEachRateTheSamplesOfAWholeDecode) {
    const auto path = stereoFile("analyzers", 44100, 2.5);
    analysis::AudioCollector model(16000), native(0);
    analysis::AudioAnalyzer* all[] = {&model, &native};
    analysis::AnalyzerRunOptions options;
    options.blockFrames = 3000;
    ASSERT_TRUE(analysis::runAnalyzers(path, all, options));
    audio::DecodeOptions at16k;
    at16k.targetSampleRate = 16000;
    at16k.quality = audio::ResampleQuality::Torchaudio;
    auto whole16k = audio::decodeAudio(path, at16k);
    auto wholeNative = audio::decodeAudio(path);
    ASSERT_TRUE(whole16k && wholeNative);
    EXPECT_EQ(model.take().samples, whole16k->samples);
    EXPECT_EQ(native.take().samples, wholeNative->samples);
}

} // namespace
} // namespace tagscope
