// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/feature_analyzer.h"

namespace tagscope::features {

Result<void> FeatureAnalyzer::start(const analysis::StreamInfo& info) {
    if (info.sampleRate < 8000)
        return fail(Error::Kind::InvalidInput, info.file, "sample rate too low for features");
    m_info = info;
    m_result.reset();
    m_samples.clear();
    if (info.durationSeconds > 0.0) m_samples.reserve(size_t(info.durationSeconds * info.sampleRate) + 1024);
    return {};
}

Result<void> FeatureAnalyzer::process(std::span<const float> block, const CancelToken*) {
    m_samples.insert(m_samples.end(), block.begin(), block.end());
    return {};
}

Result<void> FeatureAnalyzer::finish(const CancelToken* cancel) {
    FeatureOptions options = m_options;
    options.dualMonoLoudness = m_info.fileChannels >= 2;
    auto r = extractFeatures(m_samples, m_info.sampleRate, options, cancel);
    if (!r) {
        if (r.error().kind == Error::Kind::Cancelled) return fail(r.error());
        return fail(Error::make(r.error().kind, m_info.file, r.error().message));
    }
    m_result = std::move(*r);
    m_samples.clear();
    m_samples.shrink_to_fit();
    return {};
}

void FeatureAnalyzer::abort() noexcept {
    m_result.reset();
    m_samples.clear();
    m_samples.shrink_to_fit();
}

} // namespace tagscope::features
