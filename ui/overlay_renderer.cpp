// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overlay_renderer.h"

#include <algorithm>
#include <cmath>

namespace tagscope::ui {

namespace {

QRgb premultiplied(const QColor& c, double alpha) {
    const int a = std::clamp(int(std::lround(alpha * 255.0)), 0, 255);
    return qPremultiply(qRgba(c.red(), c.green(), c.blue(), a));
}

} // namespace

const analysis::TimeSeries* OverlayRenderer::attentionSeries(const analysis::TrackAnalysis& analysis,
                                                             const OverlayParameters& p) {
    if (!analysis.attention) return nullptr;
    const auto& att = *analysis.attention;
    if (p.source == AttentionSource::Rollout) return att.rollout.values.empty() ? nullptr : &att.rollout;
    const int layers = int(att.clsRowMean.size());
    if (layers == 0) return nullptr;
    const int layer = p.layer < 0 || p.layer >= layers ? layers - 1 : p.layer;
    if (p.source == AttentionSource::HeadMean) return &att.clsRowMean[size_t(layer)];
    if (p.source == AttentionSource::Received)
        return size_t(layer) < att.receivedMean.size() ? &att.receivedMean[size_t(layer)] : nullptr;
    if (size_t(layer) >= att.clsRow.size() || att.clsRow[size_t(layer)].empty()) return nullptr;
    const auto& heads = att.clsRow[size_t(layer)];
    return &heads[size_t(std::clamp(p.head, 0, int(heads.size()) - 1))];
}

std::vector<float> OverlayRenderer::rasterise(const analysis::TimeSeries& series, double duration, int columns) {
    std::vector<float> out(size_t(std::max(columns, 0)), 0.0f);
    if (columns <= 0 || duration <= 0.0) return out;
    const size_t n = std::min({series.startSeconds.size(), series.endSeconds.size(), series.values.size()});
    for (size_t i = 0; i < n; ++i) {
        const double cell = duration / columns;
        const int c0 = std::max(0, int(std::ceil(series.startSeconds[i] / cell - 0.5)));
        const int c1 = std::min(columns, int(std::ceil(series.endSeconds[i] / cell - 0.5)));
        for (int c = c0; c < c1; ++c) out[size_t(c)] = series.values[i];
    }
    return out;
}

const RenderResult& OverlayRenderer::render(const OverlaySources& sources, const OverlayParameters& parameters) {
    const void* source = parameters.kind == OverlayParameters::Kind::Attention
                             ? static_cast<const void*>(sources.analysis)
                             : static_cast<const void*>(sources.explanation);
    if (m_cachedParameters && *m_cachedParameters == parameters && m_cachedGeneration == sources.generation &&
        m_cachedSource == source)
        return m_cached;
    m_cached = {};
    if (parameters.kind == OverlayParameters::Kind::Attention && sources.analysis)
        m_cached = renderAttention(*sources.analysis, parameters);
    else if (parameters.kind == OverlayParameters::Kind::Relevance && sources.explanation &&
             sources.explanation->relevance)
        m_cached = renderRelevance(*sources.explanation->relevance, parameters);
    m_cachedParameters = parameters;
    m_cachedGeneration = sources.generation;
    m_cachedSource = source;
    return m_cached;
}

RenderResult OverlayRenderer::renderAttention(const analysis::TrackAnalysis& analysis,
                                              const OverlayParameters& p) const {
    const auto* series = attentionSeries(analysis, p);
    if (!series || analysis.durationSeconds <= 0.0) return {};
    // NOTE: ~20 cells per second is finer than any token span and keeps the image small.
    const int columns = std::max(1, int(std::ceil(analysis.durationSeconds * 20.0)));
    const auto cells = rasterise(*series, analysis.durationSeconds, columns);
    // NOTE: min-max scaled: attention that is nearly flat over the track (as in an untrained or
    // undecided model) draws nearly nothing instead of washing the whole spectrogram out, and
    // what stands out is what the model attends to more than elsewhere.
    const auto [lowest, highest] = std::minmax_element(cells.begin(), cells.end());
    const float bottom = std::max(0.0f, *lowest), top = *highest;
    const float range = top - bottom;
    QImage image(columns, 1, QImage::Format_ARGB32_Premultiplied);
    auto* row = reinterpret_cast<QRgb*>(image.scanLine(0));
    for (int c = 0; c < columns; ++c) {
        const double v = range > 1e-6f * std::abs(top) && range > 0.0f
                             ? std::clamp((cells[size_t(c)] - bottom) / range, 0.0f, 1.0f)
                             : 0.0;
        row[c] = premultiplied(p.colour, p.opacity * v);
    }
    return {image, 0.0, analysis.durationSeconds};
}

RenderResult OverlayRenderer::renderRelevance(const analysis::GradientRelevance& r, const OverlayParameters& p) const {
    if (r.map.nMels <= 0 || r.map.nFrames <= 0 || r.map.values.size() < size_t(r.map.nMels) * size_t(r.map.nFrames))
        return {};
    // NOTE: scaled to the 99th percentile of the non-zero magnitudes: gradient x input is spiky,
    // and scaling to the single largest cell leaves almost everything invisible.
    std::vector<float> magnitudes;
    for (float v : r.map.values)
        if (std::isfinite(v) && v != 0.0f) magnitudes.push_back(std::abs(v));
    float top = 0.0f;
    if (!magnitudes.empty()) {
        const size_t k = std::min(magnitudes.size() - 1, size_t(double(magnitudes.size()) * 0.99));
        std::nth_element(magnitudes.begin(), magnitudes.begin() + std::ptrdiff_t(k), magnitudes.end());
        top = magnitudes[k];
    }
    QImage image(r.map.nFrames, r.map.nMels, QImage::Format_ARGB32_Premultiplied);
    for (int m = 0; m < r.map.nMels; ++m) {
        auto* row = reinterpret_cast<QRgb*>(image.scanLine(r.map.nMels - 1 - m)); // high mels at the top
        for (int t = 0; t < r.map.nFrames; ++t) {
            const float v = r.map.at(m, t);
            // NOTE: square-root contrast: relevance is heavy-tailed, a linear ramp shows only a few pixels.
            const double a = top > 0.0f && std::isfinite(v) ? std::sqrt(std::min(1.0f, std::abs(v) / top)) : 0.0;
            row[t] = premultiplied(v >= 0.0f ? p.colour : p.negativeColour, p.opacity * a);
        }
    }
    const double frame = r.frameSeconds;
    return {image, -0.5 * frame, (r.map.nFrames - 0.5) * frame};
}

} // namespace tagscope::ui
