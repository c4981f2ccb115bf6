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

class TaggerAnalyzer final : public analysis::AudioAnalyzer {
public:
    /// `analyzer` must outlive this object; used on the thread that runs the analyzers.
    explicit TaggerAnalyzer(Analyzer& analyzer, AnalysisOptions options = {},
                            Analyzer::ChunkCallback onChunk = {});

    std::string_view name() const override { return "model"; }
    int wantedSampleRate() const override;
    Result<void> start(const analysis::StreamInfo& info) override;
    Result<void> process(std::span<const float> block, const CancelToken* cancel) override;
    Result<void> finish(const CancelToken* cancel) override;
    void abort() noexcept override;

    /// The finished analysis of the last track (empty before finish() or after abort()).
    const std::optional<analysis::TrackAnalysis>& result() const { return m_result; }
    std::optional<analysis::TrackAnalysis> takeResult() { return std::exchange(m_result, std::nullopt); }
    /// The audio the model saw (model rate, mono) of the last finished track.
    const audio::AudioBuffer& audio() const { return m_audio; }

private:
    Analyzer& m_analyzer;
    AnalysisOptions m_options;
    Analyzer::ChunkCallback m_onChunk;
    analysis::StreamInfo m_info;
    audio::AudioBuffer m_audio;
    std::optional<analysis::TrackAnalysis> m_result;
};

} // namespace tagscope::model
