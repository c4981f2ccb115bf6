// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/timeline_plot.h"

#include <algorithm>

namespace tagscope::ui {

namespace {

constexpr double kMinSpan = 0.25; // seconds: the deepest zoom
constexpr double kClickSlop = 4.0; // pixels a click may move and still be a click

} // namespace

TimelinePlot::TimelinePlot(QWidget* parent) : QCustomPlot(parent) {
    plotLayout()->clear();
    auto* margins = new QCPMarginGroup(this);
    const std::array<double, 3> stretch{5.0, 1.3, 2.6};
    auto timeTicker = QSharedPointer<QCPAxisTickerTime>::create();
    timeTicker->setTimeFormat(QStringLiteral("%m:%s"));
    timeTicker->setFieldWidth(QCPAxisTickerTime::tuMinutes, 1);
    for (size_t i = 0; i < m_rects.size(); ++i) {
        auto* r = new QCPAxisRect(this);
        plotLayout()->addElement(int(i), 0, r);
        plotLayout()->setRowStretchFactor(int(i), stretch[i]);
        r->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        r->setRangeDrag(Qt::Horizontal);
        r->setRangeZoom(Qt::Horizontal);
        r->setRangeZoomAxes(r->axis(QCPAxis::atBottom), nullptr);
        r->setRangeDragAxes(r->axis(QCPAxis::atBottom), nullptr);
        r->axis(QCPAxis::atBottom)->setTicker(timeTicker);
        r->axis(QCPAxis::atBottom)->setTickLabels(i == m_rects.size() - 1);
        r->setAutoMargins(QCP::msLeft | QCP::msRight | (i == m_rects.size() - 1 ? QCP::msBottom : QCP::msNone));
        r->setMargins(QMargins(0, i == 0 ? 6 : 4, 0, 0));
        r->axis(QCPAxis::atLeft)->grid()->setVisible(false);
        r->axis(QCPAxis::atBottom)->grid()->setVisible(false);
        connect(r->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
                &TimelinePlot::syncRange);
        m_rects[i] = r;
    }
    plotLayout()->setRowSpacing(2);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setAutoAddPlottableToLegend(false); // the curve strip keeps its own legend

    layer(QStringLiteral("overlay"))->setMode(QCPLayer::lmBuffered);
    for (size_t i = 0; i < m_rects.size(); ++i) {
        auto* sel = new QCPItemRect(this);
        sel->setLayer(QStringLiteral("overlay"));
        sel->setClipAxisRect(m_rects[i]);
        sel->topLeft->setAxes(m_rects[i]->axis(QCPAxis::atBottom), m_rects[i]->axis(QCPAxis::atLeft));
        sel->bottomRight->setAxes(m_rects[i]->axis(QCPAxis::atBottom), m_rects[i]->axis(QCPAxis::atLeft));
        sel->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        sel->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        sel->setPen(QPen(QColor(255, 255, 255, 160), 1, Qt::DashLine));
        sel->setBrush(QColor(255, 255, 255, 50));
        sel->setVisible(false);
        m_selectionRects[i] = sel;

        auto* line = new QCPItemStraightLine(this);
        line->setLayer(QStringLiteral("overlay"));
        line->setClipAxisRect(m_rects[i]);
        line->point1->setAxes(m_rects[i]->axis(QCPAxis::atBottom), m_rects[i]->axis(QCPAxis::atLeft));
        line->point2->setAxes(m_rects[i]->axis(QCPAxis::atBottom), m_rects[i]->axis(QCPAxis::atLeft));
        line->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
        line->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
        line->setPen(QPen(QColor(80, 255, 120), 2));
        line->setVisible(false);
        m_playheads[i] = line;
    }
    setMouseTracking(true);
}

void TimelinePlot::setDuration(double seconds) {
    m_duration = std::max(seconds, 0.01);
    setSelection(0.0, 0.0);
    setTimeRange(0.0, m_duration);
}

void TimelinePlot::setMinimumSideMargins(int left, int right) {
    for (auto* r : m_rects) {
        QMargins m = r->minimumMargins();
        m.setLeft(std::max(0, left));
        m.setRight(std::max(0, right));
        r->setMinimumMargins(m);
    }
}

std::pair<int, int> TimelinePlot::sideMargins() const {
    const QRect data = m_rects[Spectrogram]->rect();
    const QRect outer = m_rects[Spectrogram]->outerRect();
    return {data.left() - outer.left(), outer.right() - data.right()};
}

void TimelinePlot::setTimeRange(double a, double b) {
    m_rects[0]->axis(QCPAxis::atBottom)->setRange(a, b); // syncRange clamps and propagates
    replot(QCustomPlot::rpQueuedReplot);
}

void TimelinePlot::syncRange(const QCPRange& range) {
    if (m_syncing) return;
    m_syncing = true;
    QCPRange r = range;
    if (r.size() < kMinSpan) r = QCPRange(r.center() - kMinSpan / 2, r.center() + kMinSpan / 2);
    if (r.size() > m_duration) r = QCPRange(0.0, m_duration);
    if (r.lower < 0.0) r = QCPRange(0.0, r.size());
    if (r.upper > m_duration) r = QCPRange(m_duration - r.size(), m_duration);
    for (auto* rect : m_rects) rect->axis(QCPAxis::atBottom)->setRange(r);
    m_syncing = false;
    Q_EMIT timeRangeChanged(r.lower, r.upper);
}

std::pair<double, double> TimelinePlot::timeRange() const {
    const QCPRange r = m_rects[0]->axis(QCPAxis::atBottom)->range();
    return {r.lower, r.upper};
}

void TimelinePlot::setPlayhead(double seconds) {
    m_playhead = seconds;
    for (auto* line : m_playheads) {
        line->setVisible(seconds >= 0.0);
        line->point1->setCoords(seconds, 0.0);
        line->point2->setCoords(seconds, 1.0);
    }
    replotOverlay();
}

void TimelinePlot::replotOverlay() {
    // NOTE: the buffered layer has no paint buffer before the first full replot.
    if (isVisible() && width() > 0) layer(QStringLiteral("overlay"))->replot();
    else replot(QCustomPlot::rpQueuedReplot);
}

void TimelinePlot::setSelection(double a, double b) {
    if (b < a) std::swap(a, b);
    m_selA = std::clamp(a, 0.0, m_duration);
    m_selB = std::clamp(b, 0.0, m_duration);
    for (auto* sel : m_selectionRects) {
        sel->setVisible(m_selB > m_selA);
        sel->topLeft->setCoords(m_selA, 0.0);
        sel->bottomRight->setCoords(m_selB, 1.0);
    }
    replotOverlay();
}

double TimelinePlot::timeAt(const QPointF& pos) const {
    return std::clamp(m_rects[0]->axis(QCPAxis::atBottom)->pixelToCoord(pos.x()), 0.0, m_duration);
}

int TimelinePlot::rowAt(const QPointF& pos) const {
    for (size_t i = 0; i < m_rects.size(); ++i)
        if (m_rects[i]->rect().contains(pos.toPoint())) return int(i);
    return -1;
}

void TimelinePlot::mousePressEvent(QMouseEvent* event) {
    m_pressPos = event->position();
    m_pressed = event->button() == Qt::LeftButton && rowAt(m_pressPos) >= 0;
    m_selecting = m_pressed && (event->modifiers() & Qt::ShiftModifier);
    if (m_selecting) {
        const double t = timeAt(m_pressPos);
        setSelection(t, t);
        return; // no pan while selecting
    }
    QCustomPlot::mousePressEvent(event);
}

void TimelinePlot::mouseMoveEvent(QMouseEvent* event) {
    const QPointF pos = event->position();
    if (m_selecting) {
        setSelection(timeAt(m_pressPos), timeAt(pos));
    } else {
        QCustomPlot::mouseMoveEvent(event);
    }
    const int row = rowAt(pos);
    if (row < 0) {
        Q_EMIT hoverLeft();
        return;
    }
    auto* r = m_rects[size_t(row)];
    Q_EMIT hovered(row, timeAt(pos), r->axis(QCPAxis::atLeft)->pixelToCoord(pos.y()));
}

void TimelinePlot::mouseReleaseEvent(QMouseEvent* event) {
    const QPointF pos = event->position();
    const bool click = m_pressed && (pos - m_pressPos).manhattanLength() < kClickSlop;
    if (m_selecting) {
        m_selecting = false;
        m_pressed = false;
        if (click) setSelection(0.0, 0.0);
        else Q_EMIT regionSelected(m_selA, m_selB);
        return;
    }
    QCustomPlot::mouseReleaseEvent(event);
    if (click) Q_EMIT seekRequested(timeAt(pos));
    m_pressed = false;
}

void TimelinePlot::leaveEvent(QEvent* event) {
    Q_EMIT hoverLeft();
    QCustomPlot::leaveEvent(event);
}

} // namespace tagscope::ui
