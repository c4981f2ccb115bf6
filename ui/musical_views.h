// SPDX-License-Identifier: GPL-3.0-or-later
// Composition of the musical explanation views: the "Why, in musical terms" panel and the
// feature curves under the timeline, wired to the controller and the window's time axis.
#pragma once

#include <optional>

#include <QObject>
#include <QString>

namespace tagscope::ui {

class AnalysisController;
class FeatureCurvesView;
class MusicalPanel;
class TimelinePlot;

/// Owns nothing but the two widgets' wiring; the widgets are parented to `parent`. GUI thread.
class MusicalViews : public QObject {
    Q_OBJECT
public:
    MusicalViews(AnalysisController* controller, TimelinePlot* plot, QWidget* parent);

    MusicalPanel* panel() const { return m_panel; }
    FeatureCurvesView* curves() const { return m_curves; }
    /// The primary selected tag changed (nullopt: none); `name` is its display name.
    void setTag(std::optional<size_t> tag, const QString& name);

Q_SIGNALS:
    /// A sentence for the status bar (e.g. where a clicked feature pushes the tag).
    void message(const QString& text);

private:
    void show();

    AnalysisController* m_controller;
    TimelinePlot* m_plot;
    MusicalPanel* m_panel;
    FeatureCurvesView* m_curves;
    std::optional<size_t> m_tag;
    QString m_name;
};

} // namespace tagscope::ui
