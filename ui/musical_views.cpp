// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/musical_views.h"

#include "ui/analysis_controller.h"
#include "ui/feature_curves_view.h"
#include "ui/musical_panel.h"
#include "ui/timeline_plot.h"

namespace tagscope::ui {
namespace {

QString clock(double seconds) {
    const int s = int(seconds + 0.5);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

MusicalViews::MusicalViews(AnalysisController* controller, TimelinePlot* plot, QWidget* parent)
    : QObject(parent), m_controller(controller), m_plot(plot), m_panel(new MusicalPanel(parent)),
      m_curves(new FeatureCurvesView(parent)) {
    m_curves->setFixedHeight(96);  // four rows; the timeline above keeps most of a 768-pixel screen
    m_curves->setVisible(false);
    connect(plot, &TimelinePlot::timeRangeChanged, m_curves, &FeatureCurvesView::setTimeRange);
    // NOTE: the curves follow the timeline's data area, so a time is at the same x in both.
    connect(plot, &QCustomPlot::afterReplot, this, [this] {
        const QRect r = m_plot->rect(TimelinePlot::Spectrogram)->rect();
        m_curves->setHorizontalMargins(r.left(), std::max(0, m_plot->width() - r.right() - 1));
    });
    connect(controller, &AnalysisController::started, this, [this] {
        m_tag.reset();
        m_panel->clear();
        m_curves->clear();
        m_curves->setVisible(false);
    });
    connect(controller, &AnalysisController::musicalExplanationReady, this,
            [this](const surrogate::MusicalTagExplanation& e) {
                if (m_tag && *m_tag == e.tag) show();
            });
    connect(controller, &AnalysisController::musicalExplanationFailed, this, [this](quint64 tag, const QString& why) {
        if (m_tag && *m_tag == size_t(tag)) m_panel->showMessage(why);
    });
    connect(m_panel, &MusicalPanel::featureSelected, this,
            [this](size_t feature, const std::vector<std::pair<double, double>>& segments) {
                m_curves->setMarkedSegments(segments);
                const auto* e = m_tag ? m_controller->musicalExplanation(*m_tag) : nullptr;
                if (!e || feature >= e->features.size()) return;
                const QString featureName = QString::fromStdString(e->features[feature].name);
                if (segments.empty()) {
                    Q_EMIT message(tr("%1 pushes “%2” up in no segment.").arg(featureName, m_name));
                    return;
                }
                QStringList spans;
                for (const auto& [a, b] : segments) spans << clock(a) + QStringLiteral("–") + clock(b);
                Q_EMIT message(tr("%1 pushes “%2” up most at %3").arg(featureName, m_name, spans.join(QStringLiteral(", "))));
                m_plot->setSelection(segments.front().first, segments.front().second);
            });
}

void MusicalViews::setTag(std::optional<size_t> tag, const QString& name) {
    m_tag = tag;
    m_name = name;
    if (!tag) return m_panel->clear();
    if (!m_controller->hasModel()) return m_panel->showMessage(tr("No model is loaded."));
    if (m_controller->musicalExplanation(*tag)) return show();
    m_panel->showMessage(tr("Explaining in musical terms…"));
    m_controller->requestMusicalExplanation(*tag);
}

void MusicalViews::show() {
    const auto* e = m_tag ? m_controller->musicalExplanation(*m_tag) : nullptr;
    if (!e) return;
    m_panel->setExplanation(*e, m_name, 6);
    const double duration = m_controller->analysis() ? m_controller->analysis()->durationSeconds : 0.0;
    m_curves->setVisible(true);
    m_curves->setExplanation(*e, duration);
    const auto range = m_plot->rect(TimelinePlot::Spectrogram)->axis(QCPAxis::atBottom)->range();
    m_curves->setTimeRange(range.lower, range.upper);
}

} // namespace tagscope::ui
