// SPDX-License-Identifier: GPL-3.0-or-later
// The ranked tag list: probabilities, coarse/fine grouping, threshold, multi-selection.
#pragma once

#include <string>
#include <vector>

#include <QWidget>

#include "core/analysis/track_analysis.h"

class QCheckBox;
class QLabel;
class QSlider;
class QTreeWidget;

namespace tagscope::ui {

/// Shows the track's tags ranked by score with probability bars, grouped by the coarse
/// hierarchy when the model has one, hiding tags under a threshold. Selecting tags (several
/// with Ctrl/Shift) emits selectionChanged with the primary (current) tag first. GUI thread.
class TagPanel : public QWidget {
    Q_OBJECT
public:
    explicit TagPanel(QWidget* parent = nullptr);

    /// Shows the finished analysis (scores and hierarchy); keeps the selection when possible.
    void setAnalysis(const analysis::TrackAnalysis& analysis);
    /// Shows provisional scores while chunks stream in (flat list, no selection).
    void setProvisional(const std::vector<std::string>& names, const std::vector<float>& scores);
    void clear();
    /// Selects exactly `tag` (as if clicked). Returns false when no such tag is listed.
    bool selectTag(size_t tag);
    /// Selected tags, the current one first.
    std::vector<size_t> selectedTags() const;
    double threshold() const;
    void setThreshold(double threshold);

Q_SIGNALS:
    /// The selected tags changed (current first; empty when nothing is selected).
    void selectionChanged(const std::vector<size_t>& tags);

private:
    void rebuild();
    void applyThreshold();
    void emitSelection();

    QTreeWidget* m_tree;
    QSlider* m_threshold;
    QLabel* m_thresholdLabel;
    QCheckBox* m_grouped;
    std::vector<std::string> m_names;
    std::vector<float> m_scores;
    std::vector<analysis::CoarseTag> m_hierarchy;
    std::vector<bool> m_learnedGroupTag; // tag is a learned group output (shown as its group row)
    bool m_provisional = false;
    bool m_rebuilding = false;
};

} // namespace tagscope::ui
