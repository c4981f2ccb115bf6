// SPDX-License-Identifier: GPL-3.0-or-later
// Renders explanation overlays (attention, gradient relevance) to translucent images.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <QColor>
#include <QImage>

#include "core/analysis/track_analysis.h"

namespace tagscope::ui {

/// Which attention series an overlay shows.
enum class AttentionSource { Rollout, HeadMean, Head, Received };

/// What to render (Sonic Visualiser's Colour3DPlotRenderer "Parameters").
struct OverlayParameters {
    enum class Kind { Attention, Relevance };
    Kind kind = Kind::Attention;
    AttentionSource source = AttentionSource::Rollout;
    int layer = -1;              ///< -1 = last layer
    int head = 0;
    double opacity = 0.6;        ///< 0..1, multiplies every pixel's alpha
    QColor colour = QColor(0, 230, 255);        ///< attention / positive relevance colour
    QColor negativeColour = QColor(80, 140, 255); ///< negative relevance colour
    /// Relevance: share of the non-zero cells drawn (the strongest); every other cell is clear,
    /// so the spectrogram stays readable under the overlay.
    double topShare = 0.12;
    /// Relevance: box half-width in frames before ranking (0 = none). NOTE: +-6 frames (~0.1 s):
    /// gradient x input peaks on onsets, which a smaller blur draws as thin vertical streaks.
    int blurFrames = 6;
    int blurMels = 2;            ///< relevance: box half-height in mel rows before ranking
    bool operator==(const OverlayParameters&) const = default;
};

/// The data an overlay is made from (the "Sources"); pointers must outlive render().
/// `generation` changes whenever the pointed-to data changes, so cached images are invalidated.
struct OverlaySources {
    const analysis::TrackAnalysis* analysis = nullptr;
    const analysis::TagExplanation* explanation = nullptr;
    uint64_t generation = 0;
};

/// An image placed in plot coordinates: x from t0 to t1 seconds, y from row0 to row1 (mel rows
/// for relevance; attention images are one row tall and placed by the caller).
struct RenderResult {
    QImage image;
    double t0 = 0.0;
    double t1 = 0.0;
    bool isValid() const { return !image.isNull(); }
};

/// Plain class: sources + parameters -> image, with a one-entry cache so repaints that do not
/// change either cost nothing. GUI thread (or any single thread).
class OverlayRenderer {
public:
    /// The overlay image, or an invalid result when the sources do not hold that explanation.
    const RenderResult& render(const OverlaySources& sources, const OverlayParameters& parameters);

    /// The series an attention overlay would show, or null when the analysis has none.
    static const analysis::TimeSeries* attentionSeries(const analysis::TrackAnalysis& analysis,
                                                       const OverlayParameters& parameters);
    /// Rasterises a time series onto `columns` equal cells over [0, duration): each cell takes
    /// the value of the span containing its centre (0 outside every span).
    static std::vector<float> rasterise(const analysis::TimeSeries& series, double duration, int columns);
    /// (threshold, top) of the strongest `share` of `magnitudes`: cells >= threshold are shown,
    /// `top` (99.5th percentile) is full strength. Nothing is shown for an empty set or share <= 0.
    static std::pair<float, float> shareThreshold(std::vector<float> magnitudes, double share);
    /// Alpha (0..1, before opacity) of a cell: 0 under `threshold`, 0.35..1 by strength above it.
    static double shareAlpha(float magnitude, float threshold, float top);
    /// Separable box blur of a row-major rows x columns map (radii in cells; 0 = that axis untouched).
    static std::vector<float> boxBlur(const std::vector<float>& map, int rows, int columns, int rowRadius,
                                      int columnRadius);

private:
    RenderResult renderAttention(const analysis::TrackAnalysis& analysis, const OverlayParameters& p) const;
    RenderResult renderRelevance(const analysis::GradientRelevance& relevance, const OverlayParameters& p) const;

    std::optional<OverlayParameters> m_cachedParameters;
    uint64_t m_cachedGeneration = 0;
    const void* m_cachedSource = nullptr;
    RenderResult m_cached;
};

} // namespace tagscope::ui
