// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/taggram_view.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ui/colour_maps.h"
#include "ui/timeline_plot.h"

namespace tagscope::ui {

TaggramView::TaggramView(TimelinePlot* plot) : QObject(plot), m_plot(plot) {
    QCPAxisRect* rect = plot->rect(TimelinePlot::Taggram);
    m_map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    m_map->setInterpolate(false);
    m_map->setGradient(colourMap(QStringLiteral("viridis")));
    m_map->setDataRange(QCPRange(0.0, 1.0));
    rect->axis(QCPAxis::atLeft)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    rect->axis(QCPAxis::atLeft)->setTickLength(0, 0);
    rect->axis(QCPAxis::atLeft)->setSubTicks(false);
    rect->axis(QCPAxis::atBottom)->setLabel(QStringLiteral("Time (m:ss)"));
}

void TaggramView::setTaggram(const analysis::Taggram& taggram, const std::vector<std::string>& tagNames,
                             const std::vector<float>& scoresIn, int rows) {
    m_taggram = taggram;
    m_names = tagNames;
    const size_t nTags = taggram.tagCount;
    const size_t nChunks = taggram.chunkCount();
    if (nTags == 0 || nChunks == 0) {
        clear();
        return;
    }
    std::vector<float> scores = scoresIn;
    if (scores.size() != nTags) {
        scores.assign(nTags, 0.0f);
        for (size_t c = 0; c < nChunks; ++c)
            for (size_t t = 0; t < nTags; ++t) scores[t] += taggram.at(c, t) / float(nChunks);
    }
    std::vector<size_t> order(nTags);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    order.resize(std::min(nTags, size_t(std::max(rows, 1))));
    m_rowTags.assign(order.rbegin(), order.rend()); // best tag on the top row

    // NOTE: cells are laid on the chunk hop grid; overlapping chunks show the latest one.
    const double hop = nChunks > 1 ? taggram.chunkStartSeconds[1] - taggram.chunkStartSeconds[0]
                                   : taggram.chunkEndSeconds[0] - taggram.chunkStartSeconds[0];
    const double step = hop > 0.0 ? hop : 1.0;
    const double first = taggram.chunkStartSeconds[0];
    const int cells = std::max(1, int(std::ceil((taggram.chunkEndSeconds.back() - first) / step - 1e-9)));
    auto* data = m_map->data();
    data->setSize(cells, int(m_rowTags.size()));
    data->setRange(QCPRange(first + step / 2, first + step / 2 + (cells - 1) * step),
                   QCPRange(0.0, double(m_rowTags.size() - 1)));
    for (int cell = 0; cell < cells; ++cell) {
        const double t = first + (cell + 0.5) * step;
        size_t chunk = 0;
        for (size_t c = 0; c < nChunks; ++c)
            if (taggram.chunkStartSeconds[c] <= t) chunk = c;
        for (size_t r = 0; r < m_rowTags.size(); ++r) data->setCell(cell, int(r), taggram.at(chunk, m_rowTags[r]));
    }
    // NOTE: colours span 0..the best cell, so low-probability vocabularies still show contrast.
    float top = 0.05f;
    for (size_t c = 0; c < nChunks; ++c)
        for (size_t tag : m_rowTags) top = std::max(top, taggram.at(c, tag));
    m_map->setDataRange(QCPRange(0.0, double(top)));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t r = 0; r < m_rowTags.size(); ++r)
        ticker->addTick(double(r), QString::fromStdString(m_rowTags[r] < m_names.size() ? m_names[m_rowTags[r]] : "?"));
    QCPAxis* y = m_plot->rect(TimelinePlot::Taggram)->axis(QCPAxis::atLeft);
    y->setTicker(ticker);
    y->setRange(-0.5, double(m_rowTags.size()) - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TaggramView::clear() {
    m_taggram = {};
    m_rowTags.clear();
    m_map->data()->clear();
    m_plot->rect(TimelinePlot::Taggram)->axis(QCPAxis::atLeft)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

long TaggramView::tagAt(double row) const {
    const long r = std::lround(row);
    if (r < 0 || size_t(r) >= m_rowTags.size()) return -1;
    return long(m_rowTags[size_t(r)]);
}

QString TaggramView::readout(double seconds, double row) const {
    const long tag = tagAt(row);
    if (tag < 0) return {};
    for (size_t c = m_taggram.chunkCount(); c-- > 0;)
        if (m_taggram.chunkStartSeconds[c] <= seconds)
            return QStringLiteral("%1  %2").arg(QString::fromStdString(m_names[size_t(tag)]))
                .arg(double(m_taggram.at(c, size_t(tag))), 0, 'f', 2);
    return {};
}

} // namespace tagscope::ui
