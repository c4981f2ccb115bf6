// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/explanation_image.h"

#include <algorithm>
#include <cmath>

namespace tagscope::cli {
namespace {

constexpr int kMaxWidth = 1600;
constexpr int kStripHeight = 18;
constexpr int kGap = 3;
constexpr float kDbRange = 80.0f;
const io::Rgb kGapColour{40, 40, 40};
const io::Rgb kEvidenceColour{60, 220, 90};
const io::Rgb kOverlayColour{0, 255, 255};

/// Maximum of the series over each of `width` columns spanning [0, duration).
std::vector<float> columns(const analysis::TimeSeries& s, int width, double duration) {
    std::vector<float> out(size_t(width), NAN);
    if (duration <= 0) return out;
    for (size_t i = 0; i < s.values.size(); ++i) {
        const int x0 = std::clamp(int(std::floor(s.startSeconds[i] / duration * width)), 0, width - 1);
        const int x1 = std::clamp(int(std::ceil(s.endSeconds[i] / duration * width)), x0 + 1, width);
        for (int x = x0; x < x1; ++x)
            if (std::isnan(out[size_t(x)]) || s.values[i] > out[size_t(x)]) out[size_t(x)] = s.values[i];
    }
    return out;
}

class Painter {
public:
    Painter(int width, int height) : image(width, height, kGapColour) {}

    /// Draws a strip of `values` (one per column) mapped through magma; NaN columns stay dark.
    void strip(const std::vector<float>& values, bool absolute) {
        float lo = 0.0f, hi = 1.0f;
        if (!absolute) {
            lo = INFINITY;
            hi = -INFINITY;
            for (float v : values)
                if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        }
        const float span = (std::isfinite(hi) && hi > lo) ? hi - lo : 1.0f;
        for (int x = 0; x < image.width; ++x) {
            const float v = values[size_t(x)];
            const io::Rgb c = std::isfinite(v) && std::isfinite(lo) ? io::magma((v - lo) / span) : io::Rgb{};
            image.fill(x, y, x + 1, y + kStripHeight, c);
        }
        y += kStripHeight + kGap;
    }

    io::RgbImage image;
    int y = 0;
};

/// Column c of a width-`width` image covers frames [c*n/width, (c+1)*n/width).
std::pair<int, int> frameRange(int c, int width, int nFrames) {
    const int f0 = int(int64_t(c) * nFrames / width);
    const int f1 = std::max(f0 + 1, int(int64_t(c + 1) * nFrames / width));
    return {f0, std::min(f1, nFrames)};
}

void drawMel(Painter& p, const dsp::Spectrogram& mel, const dsp::Spectrogram* overlay, int rowsPerMel) {
    float top = -INFINITY;
    for (float v : mel.values) top = std::max(top, v);
    // NOTE: relevance is heavy-tailed; scaling by its 99th percentile keeps the overlay readable.
    float overlayMax = 0.0f;
    if (overlay && !overlay->values.empty()) {
        std::vector<float> magnitudes(overlay->values.size());
        std::transform(overlay->values.begin(), overlay->values.end(), magnitudes.begin(),
                       [](float v) { return std::isfinite(v) ? std::abs(v) : 0.0f; });
        const auto q = magnitudes.begin() + std::ptrdiff_t(magnitudes.size() * 99 / 100);
        std::nth_element(magnitudes.begin(), q, magnitudes.end());
        overlayMax = *q;
    }
    const int width = p.image.width;
    for (int x = 0; x < width; ++x) {
        const auto [f0, f1] = frameRange(x, width, mel.nFrames);
        for (int m = 0; m < mel.nMels; ++m) {
            float v = -INFINITY, r = 0.0f;
            for (int f = f0; f < f1; ++f) {
                v = std::max(v, mel.at(m, f));
                if (overlay && overlayMax > 0) r = std::max(r, std::min(1.0f, std::abs(overlay->at(m, f)) / overlayMax));
            }
            io::Rgb c = io::magma((v - (top - kDbRange)) / kDbRange);
            if (overlay) c = io::blend(io::blend(c, io::Rgb{}, 0.6f), kOverlayColour, r * r);
            const int row = p.y + (mel.nMels - 1 - m) * rowsPerMel;
            p.image.fill(x, row, x + 1, row + rowsPerMel, c);
        }
    }
    p.y += mel.nMels * rowsPerMel + kGap;
}

} // namespace

io::RgbImage renderExplanationImage(const analysis::TrackAnalysis& a,
                                    const std::vector<analysis::TagExplanation>& explanations) {
    const dsp::Spectrogram& mel = a.mel;
    const int width = std::clamp(mel.nFrames > 0 ? mel.nFrames : 800, 1, kMaxWidth);
    const int rowsPerMel = mel.nMels > 0 && mel.nMels < 128 ? 2 : 1;
    const analysis::GradientRelevance* relevance = nullptr;
    for (const auto& e : explanations)
        if (e.relevance && e.relevance->map.nMels == mel.nMels && e.relevance->map.nFrames == mel.nFrames) {
            relevance = &*e.relevance;
            break;
        }
    const int melRows = mel.nMels > 0 ? mel.nMels * rowsPerMel + kGap : 0;
    int height = melRows * (relevance ? 2 : 1) + (a.attention ? kStripHeight + kGap : 0);
    for (const auto& e : explanations)
        height += (kStripHeight + kGap) * (1 + (e.relevance ? 1 : 0) + (e.contribution ? 1 : 0)) + 4 + kGap;

    Painter p(width, std::max(height, 1));
    if (mel.nMels > 0 && mel.nFrames > 0) {
        drawMel(p, mel, nullptr, rowsPerMel);
        if (relevance) drawMel(p, mel, &relevance->map, rowsPerMel);
    }
    const double duration = a.durationSeconds;
    if (a.attention) p.strip(columns(a.attention->rollout, width, duration), false);
    for (const auto& e : explanations) {
        analysis::TimeSeries probability;
        for (size_t c = 0; c < a.taggram.chunkCount() && e.tag < a.taggram.tagCount; ++c) {
            probability.startSeconds.push_back(a.taggram.chunkStartSeconds[c]);
            probability.endSeconds.push_back(a.taggram.chunkEndSeconds[c]);
            probability.values.push_back(a.taggram.at(c, e.tag));
        }
        p.strip(columns(probability, width, duration), true);
        if (e.relevance) p.strip(columns(e.relevance->perFrame, width, duration), false);
        if (e.contribution) p.strip(columns(*e.contribution, width, duration), false);
        for (const auto& [start, end] : e.evidenceSegments) {
            const int x0 = duration > 0 ? int(start / duration * width) : 0;
            const int x1 = duration > 0 ? std::max(x0 + 1, int(std::ceil(end / duration * width))) : 0;
            p.image.fill(x0, p.y, x1, p.y + 4, kEvidenceColour);
        }
        p.y += 4 + kGap;
    }
    return std::move(p.image);
}

} // namespace tagscope::cli
