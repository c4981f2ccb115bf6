// SPDX-License-Identifier: GPL-3.0-or-later
// An analyzer of the one-decode-pass contract that fingerprints a track's audio: the SHA-256 of
// its decoded samples (mono float32 little-endian at the file's own rate). Tag edits do not
// change it; re-encoding does. The catalog keys analyses by it.
#pragma once

#include <memory>
#include <string>

#include "core/analysis/audio_analyzer.h"
#include "core/audio/audio_decoder.h"

namespace tagscope::analysis {

class AudioHashAnalyzer final : public AudioAnalyzer {
public:
    AudioHashAnalyzer();
    ~AudioHashAnalyzer() override;
    std::string_view name() const override { return "hash"; }
    int wantedSampleRate() const override { return 0; }
    Result<void> start(const StreamInfo& info) override;
    Result<void> process(std::span<const float> block, const CancelToken* cancel) override;
    Result<void> finish(const CancelToken* cancel) override;
    void abort() noexcept override;

    /// Lower-case hex SHA-256 of the last finished track ("" before finish() or after abort()).
    const std::string& hash() const { return m_hash; }

private:
    struct Digest;
    std::unique_ptr<Digest> m_digest;
    std::string m_hash;
};

/// Keeps the blocks it receives at `sampleRate` (0 = the file's rate) as one buffer.
class AudioCollector final : public AudioAnalyzer {
public:
    explicit AudioCollector(int sampleRate) : m_rate(sampleRate) {}
    std::string_view name() const override { return "collect"; }
    int wantedSampleRate() const override { return m_rate; }
    Result<void> start(const StreamInfo& info) override;
    Result<void> process(std::span<const float> block, const CancelToken* cancel) override;
    Result<void> finish(const CancelToken*) override { return {}; }
    void abort() noexcept override { m_audio = {}; }

    /// The collected audio; moved out by take().
    audio::AudioBuffer take() { return std::exchange(m_audio, {}); }

private:
    int m_rate;
    audio::AudioBuffer m_audio;
};

} // namespace tagscope::analysis
