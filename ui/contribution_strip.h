// SPDX-License-Identifier: GPL-3.0-or-later
// The curve strip of the timeline: per-tag contribution (or relevance) curves.
#pragma once

#include <vector>

#include <QColor>
#include <QObject>
#include <QString>

#include "core/analysis/track_analysis.h"

class QCPItemText;
class QCPLegend;

namespace tagscope::ui {

class TimelinePlot;

/// One curve of the strip.
struct StripCurve {
    QString name;
    analysis::TimeSeries series;
    QColor colour;
};

/// Draws the selected tags' curves (each scaled to its own maximum; negative evidence clipped
/// at 0) as lines through the segments' centres under the spectrogram, with a legend. GUI thread.
class ContributionStrip : public QObject {
    Q_OBJECT
public:
    explicit ContributionStrip(TimelinePlot* plot);

    /// Replaces the curves; `axisLabel` says what they are ("contribution", "relevance").
    void setCurves(const std::vector<StripCurve>& curves, const QString& axisLabel);
    /// Shows `message` in the strip instead of curves.
    void showMessage(const QString& message);
    void clear();
    /// A distinct colour for the i-th selected tag.
    static QColor colourFor(int index);

private:
    TimelinePlot* m_plot;
    QCPLegend* m_legend = nullptr;
    QCPItemText* m_message = nullptr;
};

} // namespace tagscope::ui
