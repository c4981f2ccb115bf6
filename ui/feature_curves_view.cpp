// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/feature_curves_view.h"

#include <cmath>

#include "core/surrogate/musical_explanation.h"

namespace tagscope::ui {
namespace {

const QColor kColours[] = {QColor(214, 110, 40), QColor(60, 120, 200), QColor(90, 160, 70), QColor(160, 80, 170)};

} // namespace

const std::vector<std::vector<std::string>>& FeatureCurvesView::rowKeys() {
    static const std::vector<std::vector<std::string>> keys = {
        {"tempo_bpm", "bpm"},
        {"loudness_lufs", "loudness_momentary_lufs", "loudness"},
        {"spectral_centroid_hz", "spectral_centroid", "brightness"},
        {"key_strength"},
    };
    return keys;
}

FeatureCurvesView::FeatureCurvesView(QWidget* parent) : QCustomPlot(parent) {
    setObjectName(QStringLiteral("FeatureCurvesView"));
    setMinimumHeight(60);
    setInteractions(QCP::Interactions());
    setAutoAddPlottableToLegend(false);
    rebuild(0);
}

void FeatureCurvesView::rebuild(int rows) {
    clearPlottables();
    clearItems();
    m_marks.clear();
    plotLayout()->clear();
    m_rects.clear();
    auto timeTicker = QSharedPointer<QCPAxisTickerTime>::create();
    timeTicker->setTimeFormat(QStringLiteral("%m:%s"));
    for (int i = 0; i < rows; ++i) {
        auto* r = new QCPAxisRect(this);
        plotLayout()->addElement(i, 0, r);
        r->setAutoMargins(QCP::msNone);
        r->setMargins(QMargins(m_margins.left(), 2, m_margins.right(), i == rows - 1 ? 2 : 0));
        r->axis(QCPAxis::atBottom)->setTicker(timeTicker);
        r->axis(QCPAxis::atBottom)->setTickLabels(false);
        r->axis(QCPAxis::atBottom)->grid()->setVisible(false);
        r->axis(QCPAxis::atLeft)->setTickLabels(false);
        r->axis(QCPAxis::atLeft)->setTicks(false);
        r->axis(QCPAxis::atLeft)->grid()->setVisible(false);
        r->axis(QCPAxis::atBottom)->setRange(m_range);
        m_rects.push_back(r);
    }
    plotLayout()->setRowSpacing(0);
}

void FeatureCurvesView::setExplanation(const surrogate::MusicalTagExplanation& e, double duration) {
    std::vector<std::pair<size_t, int>> rows;  // feature index, colour
    for (const auto& group : rowKeys())
        for (const auto& key : group) {
            auto it = std::find_if(e.features.begin(), e.features.end(), [&](const auto& f) { return f.key == key; });
            if (it == e.features.end()) continue;
            rows.emplace_back(size_t(it - e.features.begin()), int(rows.size()));
            break;
        }
    m_range = QCPRange(0.0, std::max(duration, 0.01));
    rebuild(int(rows.size()));
    m_names.clear();
    for (size_t i = 0; i < rows.size(); ++i) {
        const size_t f = rows[i].first;
        const auto& feature = e.features[f];
        QVector<double> t, v;
        double lo = 1e300, hi = -1e300;
        for (size_t s = 0; s < e.segments.size() && s < e.segmentSpans.size(); ++s) {
            const double value = e.segments[s].featureValues[f];
            if (!std::isfinite(value)) continue;
            t << e.segmentSpans[s].first << e.segmentSpans[s].second;
            v << value << value;
            lo = std::min(lo, value), hi = std::max(hi, value);
        }
        auto* r = m_rects[i];
        auto* graph = addGraph(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
        graph->setData(t, v, true);
        graph->setPen(QPen(kColours[i % 4], 1.5));
        if (lo <= hi) {
            const double pad = std::max((hi - lo) * 0.15, 1e-3 * std::max(1.0, std::fabs(hi)));
            r->axis(QCPAxis::atLeft)->setRange(lo - pad, hi + pad);
        }
        const QString name = QString::fromStdString(feature.name) +
                             (feature.unit.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(feature.unit)));
        m_names << name;
        auto* label = new QCPItemText(this);
        label->setClipAxisRect(r);
        label->position->setType(QCPItemPosition::ptAxisRectRatio);
        label->position->setAxisRect(r);
        label->position->setCoords(0.005, 0.05);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        // NOTE: the range as the panel writes values ("393 – 1570 Hz", not "1.57e+03").
        surrogate::SurrogateFeature bare = feature;
        bare.unit.clear();
        const QString range = lo <= hi ? QStringLiteral(": %1 – %2")
                                             .arg(QString::fromStdString(surrogate::formatFeatureValue(bare, float(lo))),
                                                  QString::fromStdString(surrogate::formatFeatureValue(feature, float(hi))))
                                       : QString();
        label->setText(QString::fromStdString(feature.name) + range);
        label->setBrush(QColor(255, 255, 255, 210));  // readable over the curve
        label->setPadding(QMargins(2, 0, 2, 0));
        label->setColor(kColours[i % 4].darker(130));
        QFont small = font();
        small.setPointSizeF(small.pointSizeF() * 0.85);
        label->setFont(small);
    }
    replot();
}

void FeatureCurvesView::setMarkedSegments(const std::vector<std::pair<double, double>>& spans) {
    for (auto* m : m_marks) removeItem(m);
    m_marks.clear();
    for (auto* r : m_rects)
        for (const auto& [a, b] : spans) {
            auto* rect = new QCPItemRect(this);
            rect->setClipAxisRect(r);
            for (auto* p : {rect->topLeft, rect->bottomRight}) {
                p->setAxes(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
                p->setTypeY(QCPItemPosition::ptAxisRectRatio);
            }
            rect->topLeft->setCoords(a, 0.0);
            rect->bottomRight->setCoords(b, 1.0);
            rect->setPen(QPen(QColor(214, 110, 40, 200)));
            rect->setBrush(QColor(214, 110, 40, 60));
            m_marks.push_back(rect);
        }
    replot();
}

void FeatureCurvesView::setTimeRange(double a, double b) {
    m_range = QCPRange(a, b);
    for (auto* r : m_rects) r->axis(QCPAxis::atBottom)->setRange(m_range);
    replot(QCustomPlot::rpQueuedReplot);
}

void FeatureCurvesView::setHorizontalMargins(int left, int right) {
    if (left == m_margins.left() && right == m_margins.right()) return;
    m_margins = QMargins(left, 0, right, 0);
    for (size_t i = 0; i < m_rects.size(); ++i) {
        QMargins m = m_rects[i]->margins();
        m.setLeft(left), m.setRight(right);
        m_rects[i]->setMargins(m);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void FeatureCurvesView::clear() {
    m_names.clear();
    rebuild(0);
    replot();
}

QStringList FeatureCurvesView::rowNames() const { return m_names; }

} // namespace tagscope::ui
