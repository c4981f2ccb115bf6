// SPDX-License-Identifier: GPL-3.0-or-later
// The one-decode-pass analyzer contract: order of calls, rates, errors and abort.
#include <gtest/gtest.h>

#include <numeric>

#include "core/analysis/audio_analyzer.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

namespace tagscope::analysis {
namespace {

/// Records what the driver does to it; can be told to fail at a given call.
class RecordingAnalyzer : public AudioAnalyzer {
public:
    RecordingAnalyzer(int rate, std::string failAt = {}) : m_rate(rate), m_failAt(std::move(failAt)) {}
    std::string_view name() const override { return "recording"; }
    int wantedSampleRate() const override { return m_rate; }
    Result<void> start(const StreamInfo& info) override {
        calls += "s";
        this->info = info;
        samples = 0;
        if (m_failAt == "start") return fail(Error::Kind::InvalidInput, {}, "refused at start");
        return {};
    }
    Result<void> process(std::span<const float> block, const CancelToken*) override {
        calls += "p";
        samples += block.size();
        sum += std::accumulate(block.begin(), block.end(), 0.0);
        if (m_failAt == "process") return fail(Error::Kind::InvalidInput, {}, "refused a block");
        return {};
    }
    Result<void> finish(const CancelToken*) override {
        calls += "f";
        return {};
    }
    void abort() noexcept override { calls += "a"; }

    std::string calls;
    StreamInfo info;
    size_t samples = 0;
    double sum = 0.0;

private:
    int m_rate;
    std::string m_failAt;
};

std::filesystem::path makeTone(const std::string& name, int rate, int channels, double seconds) {
    const auto dir = test::scratchDir("audio_analyzer_" + name);
    const auto path = dir / (name + ".wav");
    EXPECT_TRUE(test::writeSound(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate, channels,
                                 test::sineFrames(rate, channels, int64_t(seconds * rate), 440.0)));
    return path;
}

TEST(AudioAnalyzerContract, EveryAnalyzerSeesTheWholeTrackAtItsOwnRate) {
    const auto path = makeTone("rates", 44100, 2, 3.0);
    RecordingAnalyzer native(0), model(16000), features(22050);
    AudioAnalyzer* all[] = {&native, &model, &features};
    AnalyzerRunOptions options;
    options.blockFrames = 4096;
    ASSERT_TRUE(runAnalyzers(path, all, options));
    EXPECT_EQ(native.info.sampleRate, 44100);
    EXPECT_EQ(native.samples, size_t(3 * 44100));
    EXPECT_EQ(model.info.sampleRate, 16000);
    EXPECT_EQ(model.samples, size_t(3 * 16000));
    EXPECT_EQ(features.samples, size_t(3 * 22050));
    EXPECT_EQ(native.info.fileChannels, 2);
    EXPECT_NEAR(native.info.durationSeconds, 3.0, 1e-9);
    for (auto* a : {&native, &model, &features}) {
        EXPECT_EQ(a->calls.front(), 's');
        EXPECT_EQ(a->calls.back(), 'f');
        EXPECT_EQ(a->calls.find('a'), std::string::npos);
    }
    // 3 s at 44.1 kHz in blocks of 4096 frames: 33 blocks.
    EXPECT_EQ(native.calls, "s" + std::string(33, 'p') + "f");
}

TEST(AudioAnalyzerContract, AFailingAnalyzerStopsTheRunAndStartedOnesAreAborted) {
    const auto path = makeTone("failing", 22050, 1, 1.0);
    RecordingAnalyzer first(0), failing(16000, "process"), later(16000);
    AudioAnalyzer* all[] = {&first, &failing, &later};
    auto result = runAnalyzers(path, all);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("failing.wav"), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find("refused a block"), std::string::npos) << result.error().message;
    // Blocks are fed to all analyzers in turn: the first block reached `first`, then `failing`
    // refused it; `later` was started but never fed. Nobody finishes; everyone is aborted.
    EXPECT_EQ(first.calls, "spa");
    EXPECT_EQ(failing.calls, "spa");
    EXPECT_EQ(later.calls, "sa");
}

TEST(AudioAnalyzerContract, AFailingStartAbortsTheAnalyzersStartedBefore) {
    const auto path = makeTone("failing_start", 22050, 1, 1.0);
    RecordingAnalyzer first(0), refusing(0, "start"), never(0);
    AudioAnalyzer* all[] = {&first, &refusing, &never};
    auto result = runAnalyzers(path, all);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("refused at start"), std::string::npos) << result.error().message;
    EXPECT_EQ(first.calls, "sa");
    EXPECT_EQ(refusing.calls, "s");   // its own start failed: nothing to abort
    EXPECT_TRUE(never.calls.empty());
}

TEST(AudioAnalyzerContract, CancellationAbortsAndSaysCancelled) {
    const auto path = makeTone("cancel", 16000, 1, 1.0);
    RecordingAnalyzer a(0);
    AudioAnalyzer* all[] = {&a};
    CancelToken cancel;
    cancel.cancel();
    auto result = runAnalyzers(path, all, {}, {}, &cancel);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, Error::Kind::Cancelled);
    EXPECT_EQ(a.calls.find('f'), std::string::npos);
}

TEST(AudioAnalyzerContract, AnUnreadableFileIsAnErrorNamingIt) {
    const auto dir = test::scratchDir("audio_analyzer_bad");
    test::writeBytes(dir / "not_audio.wav", "this is text, not a RIFF file");
    RecordingAnalyzer a(0);
    AudioAnalyzer* all[] = {&a};
    auto result = runAnalyzers(dir / "not_audio.wav", all);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("not_audio.wav"), std::string::npos);
    EXPECT_TRUE(a.calls.empty());
}

} // namespace
} // namespace tagscope::analysis
