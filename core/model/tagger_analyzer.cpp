// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/tagger_analyzer.h"

namespace tagscope::model {

TaggerAnalyzer::TaggerAnalyzer(Analyzer& analyzer, AnalysisOptions options, Analyzer::ChunkCallback onChunk)
    : m_analyzer(analyzer), m_options(options), m_onChunk(std::move(onChunk)) {}

int TaggerAnalyzer::wantedSampleRate() const { return m_analyzer.tagger().card().sampleRate; }

Result<void> TaggerAnalyzer::start(const analysis::StreamInfo& info) {
    m_info = info;
    m_result.reset();
    m_audio = {};
    m_audio.sampleRate = info.sampleRate;
    if (info.durationSeconds > 0.0)
        m_audio.samples.reserve(static_cast<size_t>(info.durationSeconds * info.sampleRate) + 1024);
    return {};
}

Result<void> TaggerAnalyzer::process(std::span<const float> block, const CancelToken*) {
    // NOTE: the model runs at finish(): chunk boundaries and the end-aligned last chunk need the
    // track's length. Streaming the full chunks as they fill is a later optimisation.
    m_audio.samples.insert(m_audio.samples.end(), block.begin(), block.end());
    return {};
}

Result<void> TaggerAnalyzer::finish(const CancelToken* cancel) {
    auto result = m_analyzer.analyzeAudio(m_audio, m_options, {}, cancel, m_onChunk);
    if (!result) return fail(result.error());
    result->file = m_info.file;
    m_result = std::move(*result);
    return {};
}

void TaggerAnalyzer::abort() noexcept {
    m_result.reset();
    m_audio.samples.clear();
    m_audio.samples.shrink_to_fit();
}

} // namespace tagscope::model
