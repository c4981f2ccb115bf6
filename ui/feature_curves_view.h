// SPDX-License-Identifier: GPL-3.0-or-later
// Feature curves under the spectrogram: tempo, loudness, brightness and key strength per
// segment as step lines, one row each, on the window's time axis; segments a feature pushes
// the selected tag through are shaded.
#pragma once

#include <utility>
#include <vector>

#include "core/surrogate/musical_explanation.h"
#include "ui/qcp.h"

namespace tagscope::ui {

/// Self-contained timeline rows of perceptual feature curves. Follows another plot's time axis
/// through setTimeRange and its left/right margins through setHorizontalMargins. GUI thread.
class FeatureCurvesView : public QCustomPlot {
    Q_OBJECT
public:
    /// Feature keys drawn, in row order (the first key of each group that the explanation has).
    static const std::vector<std::vector<std::string>>& rowKeys();

    explicit FeatureCurvesView(QWidget* parent = nullptr);

    /// Draws the segment values of `explanation`'s features; `duration` is the track length.
    void setExplanation(const surrogate::MusicalTagExplanation& explanation, double duration);
    /// Shades [start, end) seconds spans in every row (empty: none).
    void setMarkedSegments(const std::vector<std::pair<double, double>>& spans);
    /// Shows [a, b] seconds (slot for the main plot's timeRangeChanged).
    void setTimeRange(double a, double b);
    /// Aligns the rows with another plot's data area (pixels left and right of it).
    void setHorizontalMargins(int left, int right);
    void clear();

    /// Names of the rows drawn (for tests): "tempo (BPM)", ...
    QStringList rowNames() const;
    int markedCount() const { return int(m_marks.size()); }

private:
    void rebuild(int rows);
    std::vector<QCPAxisRect*> m_rects;
    std::vector<QCPItemRect*> m_marks;
    QStringList m_names;
    QCPRange m_range{0.0, 1.0};
    QMargins m_margins{50, 0, 10, 0};
};

} // namespace tagscope::ui
