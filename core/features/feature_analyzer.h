// SPDX-License-Identifier: GPL-3.0-or-later
// The perceptual features as an analyzer of the one-decode-pass contract
// (core/analysis/audio_analyzer.h): run it beside the tagger with runAnalyzers().
#pragma once

#include <optional>
#include <vector>

#include "core/analysis/audio_analyzer.h"
#include "core/features/feature_extractor.h"

namespace tagscope::features {

class FeatureAnalyzer final : public analysis::AudioAnalyzer {
public:
    /// `options.dualMonoLoudness` is decided per track from the file's channel count.
    explicit FeatureAnalyzer(FeatureOptions options = {}) : m_options(options) {}

    std::string_view name() const override { return "features"; }
    int wantedSampleRate() const override { return kFeatureSampleRate; }
    Result<void> start(const analysis::StreamInfo& info) override;
    Result<void> process(std::span<const float> block, const CancelToken* cancel) override;
    Result<void> finish(const CancelToken* cancel) override;
    void abort() noexcept override;

    /// The features of the last finished track (empty before finish() or after abort()).
    const std::optional<TrackFeatures>& result() const { return m_result; }
    std::optional<TrackFeatures> takeResult() { return std::exchange(m_result, std::nullopt); }

private:
    FeatureOptions m_options;
    analysis::StreamInfo m_info;
    // NOTE: the signal is kept (4 min at 22.05 kHz = 21 MB) because tempo, key and chords need
    // the whole track; the per-block work is only a copy.
    std::vector<float> m_samples;
    std::optional<TrackFeatures> m_result;
};

} // namespace tagscope::features
