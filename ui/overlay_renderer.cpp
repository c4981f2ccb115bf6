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
    // NOTE: smoothed over +-0.25 s: single tokens that stand out would otherwise be drawn as thin
    // lines across the whole spectrogram, which read as artefacts of the music, not as attention.
    const auto cells = boxBlur(rasterise(*series, analysis.durationSeconds, columns), 1, columns, 0, 5);
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
    const int mels = r.map.nMels;
    const int frames = r.map.nFrames;
    if (mels <= 0 || frames <= 0 || r.map.values.size() < size_t(mels) * size_t(frames)) return {};
    std::vector<float> signedMap(size_t(mels) * size_t(frames));
    for (size_t i = 0; i < signedMap.size(); ++i) signedMap[i] = std::isfinite(r.map.values[i]) ? r.map.values[i] : 0.0f;
    // NOTE: a small box blur first: gradient x input is per-cell speckle, and what a reader wants
    // to see is the region of the spectrogram the tag comes from, not single cells.
    const auto smooth = boxBlur(signedMap, mels, frames, p.blurMels, p.blurFrames);
    const auto magnitude = [&](size_t i) { return std::abs(smooth[i]); };
    std::vector<float> nonZero;
    for (size_t i = 0; i < smooth.size(); ++i)
        if (magnitude(i) > 0.0f) nonZero.push_back(magnitude(i));
    const auto [threshold, top] = shareThreshold(nonZero, p.topShare);
    QImage image(frames, mels, QImage::Format_ARGB32_Premultiplied);
    for (int m = 0; m < mels; ++m) {
        auto* row = reinterpret_cast<QRgb*>(image.scanLine(mels - 1 - m)); // high mels at the top
        for (int t = 0; t < frames; ++t) {
            const size_t i = size_t(m) * size_t(frames) + size_t(t);
            const float v = smooth[i];
            row[t] = premultiplied(v >= 0.0f ? p.colour : p.negativeColour, p.opacity * shareAlpha(magnitude(i), threshold, top));
        }
    }
    const double frame = r.frameSeconds;
    return {image, -0.5 * frame, (frames - 0.5) * frame};
}

std::pair<float, float> OverlayRenderer::shareThreshold(std::vector<float> magnitudes, double share) {
    if (magnitudes.empty() || !(share > 0.0)) return {INFINITY, INFINITY};
    std::sort(magnitudes.begin(), magnitudes.end());
    const size_t n = magnitudes.size();
    const size_t keep = std::clamp<size_t>(size_t(std::ceil(std::min(share, 1.0) * double(n))), 1, n);
    // NOTE: the top is the 99.5th percentile, not the maximum: one spike would fade the rest.
    const size_t topIndex = std::min(n - 1, size_t(double(n - 1) * 0.995 + 0.5));
    return {magnitudes[n - keep], std::max(magnitudes[topIndex], magnitudes[n - keep])};
}

double OverlayRenderer::shareAlpha(float magnitude, float threshold, float top) {
    if (!(magnitude >= threshold) || !(magnitude > 0.0f)) return 0.0;
    const double strength = top > threshold ? std::clamp(double(magnitude - threshold) / double(top - threshold), 0.0, 1.0)
                                            : 1.0;
    // NOTE: the weakest shown cell still gets a third of the opacity, so the shown region reads as
    // one shape; stronger cells are more opaque.
    return 0.35 + 0.65 * strength;
}

std::vector<float> OverlayRenderer::boxBlur(const std::vector<float>& map, int rows, int columns, int rowRadius,
                                            int columnRadius) {
    auto pass = [](const std::vector<float>& in, int rowsN, int colsN, int radius, bool alongColumns) {
        if (radius <= 0) return in;
        std::vector<float> out(in.size(), 0.0f);
        for (int r = 0; r < rowsN; ++r)
            for (int c = 0; c < colsN; ++c) {
                double sum = 0.0;
                int count = 0;
                for (int d = -radius; d <= radius; ++d) {
                    const int rr = alongColumns ? r : r + d;
                    const int cc = alongColumns ? c + d : c;
                    if (rr < 0 || rr >= rowsN || cc < 0 || cc >= colsN) continue;
                    sum += in[size_t(rr) * size_t(colsN) + size_t(cc)];
                    ++count;
                }
                out[size_t(r) * size_t(colsN) + size_t(c)] = float(sum / std::max(count, 1));
            }
        return out;
    };
    return pass(pass(map, rows, columns, columnRadius, true), rows, columns, rowRadius, false);
}

} // namespace tagscope::ui
