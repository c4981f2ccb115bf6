// SPDX-License-Identifier: GPL-3.0-or-later
// Review of the tags Tagscope proposes to write into files: a tree of file -> field -> value
// with a checkbox per file and per proposed value, the old and new values side by side, and an
// Apply button that writes through the same core function as `tagscope-cli write --apply`.
#pragma once

#include <optional>
#include <vector>

#include <QDialog>

#include "core/analysis/track_analysis.h"
#include "core/cards/model_card.h"
#include "core/tagfile/write_plan.h"

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace tagscope::ui {

/// Shows plans for review and applies the checked part of them. GUI thread only.
class TagReviewDialog : public QDialog {
    Q_OBJECT
public:
    /// `plans` as made by tagfile::planWrite(); `journalPath` empty = tagfile::defaultJournalPath().
    explicit TagReviewDialog(std::vector<tagfile::FilePlan> plans, QWidget* parent = nullptr,
                             QString journalPath = {});

    /// The plans as the checkboxes say: unchecked files left out, unchecked values removed.
    std::vector<tagfile::FilePlan> reviewedPlans() const;
    /// The tree (tests tick boxes through it).
    QTreeWidget* tree() const { return m_tree; }

    /// Plans for the track shown in the main window (its analysis and model), or, when there is
    /// none, for an analysis export the user picks; then runs the dialog. Errors are shown in a
    /// message box.
    static void reviewAndWrite(QWidget* parent, const std::optional<analysis::TrackAnalysis>& current,
                               const std::optional<cards::ModelCard>& card);

public Q_SLOTS:
    /// Writes the reviewed plans (journal first, then each file safely) and shows each result.
    void apply();

Q_SIGNALS:
    /// Emitted after apply() with how many files were written.
    void applied(int written);

private:
    void populate();
    void refreshAfterColumn(QTreeWidgetItem* fieldItem);
    std::vector<tagfile::FilePlan> m_plans;
    QString m_journalPath;
    QTreeWidget* m_tree = nullptr;
    QLabel* m_summary = nullptr;
    QPushButton* m_apply = nullptr;
    bool m_populating = false;
};

} // namespace tagscope::ui
