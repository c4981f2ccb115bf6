// SPDX-License-Identifier: GPL-3.0-or-later
// One plot widget holding every time-aligned view (spectrogram, curve strip, taggram).
#pragma once

#include <utility>

#include <array>

#include "ui/qcp.h"

namespace tagscope::ui {

/// Stacks three axis rects that share one time axis: they zoom (wheel) and pan (drag) together,
/// clamped to the track. A click seeks, shift+drag selects a region; a playhead and the
/// selection are drawn over every rect on a buffered layer, so moving the playhead does not
/// repaint the spectrogram. GUI thread.
class TimelinePlot : public QCustomPlot {
    Q_OBJECT
public:
    enum Row { Spectrogram = 0, Curves = 1, Taggram = 2 };

    explicit TimelinePlot(QWidget* parent = nullptr);

    QCPAxisRect* rect(Row row) const { return m_rects[size_t(row)]; }
    /// Sets the track length, shows the whole track and clears the selection.
    void setDuration(double seconds);
    double duration() const { return m_duration; }
    /// Shows [a, b] seconds in every rect (clamped to the track).
    void setTimeRange(double a, double b);
    /// Left and right margins of the data area are at least these (pixels), so plots stacked
    /// one above the other can put a time at the same x (the split view aligns its two plots).
    void setMinimumSideMargins(int left, int right);
    /// Pixels left and right of the data area, as laid out at the last replot.
    std::pair<int, int> sideMargins() const;
    /// Moves the playhead (seconds; negative hides it) repainting only the playhead layer.
    void setPlayhead(double seconds);
    /// The playhead in seconds (negative: hidden).
    double playhead() const { return m_playhead; }
    /// The visible time range [a, b] in seconds.
    std::pair<double, double> timeRange() const;
    /// The selected region (a == b: none).
    void setSelection(double a, double b);
    std::pair<double, double> selection() const { return {m_selA, m_selB}; }

Q_SIGNALS:
    /// The mouse is over `row` at time `seconds` and value coordinate `value`.
    void hovered(int row, double seconds, double value);
    void hoverLeft();
    /// A click without drag at `seconds`.
    void seekRequested(double seconds);
    /// A shift+drag selected [a, b] seconds (a < b).
    void regionSelected(double a, double b);
    /// The visible time range changed (zoom or pan).
    void timeRangeChanged(double a, double b);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void syncRange(const QCPRange& range);
    void replotOverlay();
    double timeAt(const QPointF& pos) const;
    int rowAt(const QPointF& pos) const;

    std::array<QCPAxisRect*, 3> m_rects{};
    std::array<QCPItemStraightLine*, 3> m_playheads{};
    std::array<QCPItemRect*, 3> m_selectionRects{};
    double m_duration = 1.0;
    double m_playhead = -1.0;
    double m_selA = 0.0;
    double m_selB = 0.0;
    QPointF m_pressPos;
    bool m_pressed = false;
    bool m_selecting = false;
    bool m_syncing = false;
};

} // namespace tagscope::ui
