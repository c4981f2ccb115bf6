// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/contribution_strip.h"

#include <algorithm>

#include "ui/qcp.h"

#include "ui/timeline_plot.h"

namespace tagscope::ui {

ContributionStrip::ContributionStrip(TimelinePlot* plot) : QObject(plot), m_plot(plot) {
    QCPAxisRect* rect = plot->rect(TimelinePlot::Curves);
    rect->axis(QCPAxis::atLeft)->setRange(0.0, 1.08);
    rect->axis(QCPAxis::atLeft)->setTickLabels(false);
    rect->axis(QCPAxis::atLeft)->setTicks(false);
    m_legend = new QCPLegend;
    rect->insetLayout()->addElement(m_legend, Qt::AlignTop | Qt::AlignRight);
    m_legend->setLayer(QStringLiteral("legend"));
    m_legend->setFont(QFont(plot->font().family(), 8));
    m_legend->setBrush(QColor(255, 255, 255, 200));
    m_legend->setRowSpacing(0);
    m_legend->setVisible(false);
    m_message = new QCPItemText(plot);
    m_message->setClipAxisRect(rect);
    m_message->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    m_message->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_message->position->setCoords(0.5, 0.5);
    m_message->setColor(QColor(90, 90, 90));
    m_message->setVisible(false);
}

QColor ContributionStrip::colourFor(int index) {
    static const QColor kColours[] = {QColor(230, 85, 13), QColor(49, 130, 189), QColor(49, 163, 84),
                                      QColor(117, 107, 177), QColor(214, 39, 40), QColor(140, 86, 75)};
    return kColours[size_t(index) % std::size(kColours)];
}

void ContributionStrip::clear() {
    for (int i = m_plot->graphCount() - 1; i >= 0; --i)
        if (m_plot->graph(i)->valueAxis()->axisRect() == m_plot->rect(TimelinePlot::Curves))
            m_plot->removeGraph(i);
    m_legend->clearItems();
    m_legend->setVisible(false);
    m_message->setVisible(false);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ContributionStrip::showMessage(const QString& message) {
    clear();
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ContributionStrip::setCurves(const std::vector<StripCurve>& curves, const QString& axisLabel) {
    clear();
    QCPAxisRect* rect = m_plot->rect(TimelinePlot::Curves);
    rect->axis(QCPAxis::atLeft)->setLabel(axisLabel);
    for (const auto& curve : curves) {
        const auto& s = curve.series;
        const size_t n = std::min({s.startSeconds.size(), s.endSeconds.size(), s.values.size()});
        if (n == 0) continue;
        float top = 0.0f;
        for (size_t i = 0; i < n; ++i) top = std::max(top, std::abs(s.values[i]));
        QVector<double> keys;
        QVector<double> values;
        for (size_t i = 0; i < n; ++i) {
            const double v = top > 0.0f ? double(s.values[i]) / top : 0.0;
            // NOTE: a line through the segments' centres (curves are segment-level and smoothed).
            keys << 0.5 * (s.startSeconds[i] + s.endSeconds[i]);
            values << std::max(0.0, v);
        }
        QCPGraph* graph = m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        graph->setData(keys, values, true);
        graph->setPen(QPen(curve.colour, 1.6));
        QColor fill = curve.colour;
        fill.setAlpha(40);
        graph->setBrush(fill);
        graph->setName(curve.name);
        m_legend->addItem(new QCPPlottableLegendItem(m_legend, graph));
    }
    m_legend->setVisible(m_legend->itemCount() > 0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace tagscope::ui
