// SPDX-License-Identifier: GPL-3.0-or-later
// Two models side by side: two analyses of one track on one time axis, tags aligned.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QString>
#include <QWidget>

#include "core/analysis/track_analysis.h"
#include "core/dsp/mel_spectrogram.h"
#include "core/analysis/model_comparison.h"
#include "core/cards/model_card.h"

class QLabel;
class QTreeWidget;

namespace tagscope::ui {

class AnalysisController;
class TrackViews;

/// A split view: model A's views over model B's, sharing one time axis (zoom and pan move both)
/// and one playhead, beside a table of the tags both models can express (aligned across
/// vocabularies by analysis::compareAnalyses: same concept name or same taxonomy group) with
/// both scores. Selecting a row explains it with both models and says whether their evidence
/// points at the same passages. Model A's explanations come from the window's controller; model
/// B runs in this window's own controller (its own worker thread). GUI thread.
class CompareWindow : public QWidget {
    Q_OBJECT
public:
    /// `primary` (may be null in tests) explains model A's tags.
    explicit CompareWindow(AnalysisController* primary, QWidget* parent = nullptr);
    ~CompareWindow() override;

    /// Shows `a` at once and analyses `file` with `cardB` (asynchronous; B appears when done).
    void start(std::shared_ptr<const analysis::TrackAnalysis> a, const dsp::MelConfig& melA, const QString& nameA,
               const cards::ModelCard& cardB, const QString& file);
    /// Shows two finished analyses and their comparison (start() ends here; tests call it directly).
    void showAnalyses(std::shared_ptr<const analysis::TrackAnalysis> a, const dsp::MelConfig& melA, const QString& nameA,
                      std::shared_ptr<const analysis::TrackAnalysis> b, const dsp::MelConfig& melB, const QString& nameB);
    /// Moves the playhead in both views.
    void setPlayhead(double seconds);
    /// Selects comparison row `row` (as if clicked); false when there is none.
    bool selectRow(int row);
    /// Shows explanations of the selected row (from either model) when they belong to it.
    void takeExplanation(bool modelB, const analysis::TagExplanation& explanation);

    TrackViews* viewsA() const { return m_viewsA; }
    TrackViews* viewsB() const { return m_viewsB; }
    const std::vector<analysis::AlignedTag>& rows() const { return m_comparison.tags; }
    /// The comparison the table shows (analysis::compareAnalyses, as `tagscope-cli compare`).
    const analysis::ModelComparison& comparison() const { return m_comparison; }
    /// The agreement sentence of the selected row.
    QString agreementText() const;

Q_SIGNALS:
    /// A click in either view asks to move playback to `seconds`.
    void seekRequested(double seconds);

private:
    void syncTimeAxis(TrackViews* from, TrackViews* to);
    void alignDataAreas();
    void fillTable();
    void updateAgreement();

    AnalysisController* m_primary;
    std::unique_ptr<AnalysisController> m_secondary;
    TrackViews* m_viewsA;
    TrackViews* m_viewsB;
    QLabel* m_labelA;
    QLabel* m_labelB;
    QLabel* m_summary;
    QLabel* m_agreement;
    QTreeWidget* m_table;
    std::shared_ptr<const analysis::TrackAnalysis> m_a;
    std::shared_ptr<const analysis::TrackAnalysis> m_b;
    dsp::MelConfig m_melA;
    QString m_nameA;
    QString m_nameB;
    QString m_file;
    analysis::ModelComparison m_comparison;
    int m_row = -1;
    std::shared_ptr<const analysis::TagExplanation> m_explanationA;
    std::shared_ptr<const analysis::TagExplanation> m_explanationB;
    bool m_syncing = false;
};

/// Share of evidence time two explanations have in common: |A ∩ B| / |A ∪ B| of their evidence
/// segments on a `gridSeconds` grid (1 when both are empty).
double evidenceAgreement(const std::vector<std::pair<double, double>>& a, const std::vector<std::pair<double, double>>& b,
                         double gridSeconds = 0.5);

} // namespace tagscope::ui
