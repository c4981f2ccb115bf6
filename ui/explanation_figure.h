// SPDX-License-Identifier: GPL-3.0-or-later
// The labelled explanation figure: one renderer for the window's export and `explain --png`.
#pragma once

#include <string>
#include <vector>

#include <QImage>
#include <QRect>
#include <QSize>
#include <QString>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"
#include "core/dsp/mel_spectrogram.h"
#include "ui/overlay_renderer.h"

class QPainter;

namespace tagscope::ui {

/// What a figure shows (the "Sources"). Pointers must outlive the figure.
struct FigureInput {
    const analysis::TrackAnalysis* analysis = nullptr;
    /// Explained tags, the primary (whose relevance is drawn on the spectrogram) first.
    std::vector<const analysis::TagExplanation*> explanations;
    std::string fileName;                 ///< shown in the title
    std::string modelName;                ///< shown in the title
    dsp::MelConfig mel;                   ///< how analysis->mel was made (for the Hz axis)
};

/// How it is drawn (the "Parameters").
struct FigureStyle {
    int width = 1600;                     ///< pixels; the height follows from the content
    QString colourMap = QStringLiteral("magma");
    double dynamicRangeDb = 80.0;
    bool relevance = true;                ///< the primary tag's relevance over the spectrogram
    bool attention = true;                ///< the attention rollout strip (attention models)
    OverlayParameters relevanceParameters{.kind = OverlayParameters::Kind::Relevance, .opacity = 0.85,
                                          .colour = QColor(0, 255, 255)};
    double segmentSeconds = 1.0;          ///< evidence curves are pooled to segments this long
};

/// Where each part of the figure is (pixels), for layout checks.
struct FigureLayout {
    QRect title;
    QRect spectrogram;                    ///< the mel panel (time x mel)
    QRect frequencyAxis;                  ///< Hz labels left of the mel panel
    QRect attention;                      ///< empty without attention
    std::vector<QRect> probability;       ///< per tag: its chunk probabilities
    std::vector<QRect> curves;            ///< per tag: its segment-level evidence curve
    QRect timeAxis;                       ///< m:ss labels under the last panel
    QRect colourBars;                     ///< dB and relevance colour bars, right of the mel panel
    QRect legend;
};

/// A plain renderer (Sonic Visualiser's renderer pattern): built from a FigureInput and a
/// FigureStyle, it lays the figure out once and paints it onto any QPainter (image, SVG, PDF).
/// Layout: title (file, model, tag), mel spectrogram with a Hz axis and the primary tag's
/// relevance (top share only), attention strip, per tag a probability strip and a smoothed
/// evidence curve with its evidence segments, an m:ss time axis, colour bars and a legend.
/// Needs a QGuiApplication (fonts). Any thread that owns its painter.
class ExplanationFigure {
public:
    ExplanationFigure(FigureInput input, FigureStyle style);

    QSize size() const { return m_size; }
    const FigureLayout& layout() const { return m_layout; }
    /// Paints the whole figure at (0, 0) in figure pixels.
    void paint(QPainter& painter) const;
    /// The figure on a white image of size().
    QImage toImage() const;

    /// A step for time ticks: about `targetTicks` ticks over `duration` seconds, on a
    /// 1/2/5/10/15/30 s, 1/2/5/10 min grid.
    static double tickStep(double duration, int targetTicks);
    /// "m:ss" (or "m:ss.s" when `tenths`).
    static QString formatTime(double seconds, bool tenths = false);

private:
    void computeLayout();
    void paintSpectrogram(QPainter& p) const;
    void paintFrequencyAxis(QPainter& p) const;
    void paintAttention(QPainter& p) const;
    void paintTag(QPainter& p, size_t index) const;
    void paintTimeAxis(QPainter& p) const;
    void paintColourBars(QPainter& p) const;
    void paintLegend(QPainter& p) const;
    double xOf(double seconds, const QRect& rect) const;
    QString tagLabel(size_t index) const;

    FigureInput m_input;
    FigureStyle m_style;
    std::vector<std::string> m_names;     ///< display names of the analysis' tags
    QSize m_size;
    FigureLayout m_layout;
};

/// Draws the figure and saves it as PNG (atomically). Creates an offscreen QGuiApplication first
/// when the process has none (the CLI). Errors name the file and the reason.
Result<void> saveFigurePng(const FigureInput& input, const FigureStyle& style, const QString& path);

} // namespace tagscope::ui
