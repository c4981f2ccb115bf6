// SPDX-License-Identifier: GPL-3.0-or-later
// The tagger as an analyzer of the one-decode-pass contract (core/analysis/audio_analyzer.h):
// it receives the track at the model's rate and, at finish(), holds the track's analysis.
// Torch-free header.
#pragma once

#include <memory>
#include <optional>

#include "core/analysis/audio_analyzer.h"
#include "core/analysis/track_analysis.h"
#include "core/model/analyzer.h"

namespace tagscope::model {

/// Two modes, chosen by the options:
///  - streaming (options.trackMel false): chunks run through the model in batches as soon as
///    the blocks have filled them; only the samples of chunks not yet run and the last chunk's
///    length are held, so memory does not grow with the track. The analysis equals
///    Analyzer::analyzeAudio's with the same options (the same chunks in the same batches).
///  - whole track (options.trackMel true): the track is collected and analysed at finish()
///    (with the track's mel spectrogram); audio() then holds what the model saw.
class TaggerAnalyzer final : public analysis::AudioAnalyzer {
public:
    /// `analyzer` must outlive this object; used on the thread that runs the analyzers.
    explicit TaggerAnalyzer(Analyzer& analyzer, AnalysisOptions options = {},
                            Analyzer::ChunkCallback onChunk = {});
    ~TaggerAnalyzer() override;

    std::string_view name() const override { return "model"; }
    int wantedSampleRate() const override;
    Result<void> start(const analysis::StreamInfo& info) override;
    Result<void> process(std::span<const float> block, const CancelToken* cancel) override;
    Result<void> finish(const CancelToken* cancel) override;
    void abort() noexcept override;

    /// True when chunks run as the blocks arrive (options.trackMel false).
    bool streaming() const { return !m_options.trackMel; }
    /// The finished analysis of the last track (empty before finish() or after abort()).
    const std::optional<analysis::TrackAnalysis>& result() const { return m_result; }
    std::optional<analysis::TrackAnalysis> takeResult() { return std::exchange(m_result, std::nullopt); }
    /// The audio the model saw (model rate, mono) of the last finished track; whole-track mode
    /// only (empty when streaming).
    const audio::AudioBuffer& audio() const { return m_audio; }
    /// What start() was told about the current (or last) track.
    const analysis::StreamInfo& streamInfo() const { return m_info; }
    /// Most samples held at once during the last track (streaming mode), for tests and figures.
    size_t peakHeldSamples() const { return m_peakHeld; }

private:
    struct Stream;

    Analyzer& m_analyzer;
    AnalysisOptions m_options;
    Analyzer::ChunkCallback m_onChunk;
    analysis::StreamInfo m_info;
    audio::AudioBuffer m_audio;
    std::unique_ptr<Stream> m_stream;
    std::optional<analysis::TrackAnalysis> m_result;
    size_t m_peakHeld = 0;
};

} // namespace tagscope::model
