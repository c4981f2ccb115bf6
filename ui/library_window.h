// SPDX-License-Identifier: GPL-3.0-or-later
// The Library window: every catalogued track with its top tags, filtered by tag, coarse group,
// threshold and text (the same rule as `tagscope-cli find`). Opening a track hands its stored
// analysis to the main window, which shows it without running the model. GUI thread only.
#pragma once

#include <optional>
#include <vector>

#include <QWidget>

#include "core/analysis/track_analysis.h"
#include "core/catalog/catalog.h"
#include "core/catalog/track_filter.h"
#include "core/tagfile/write_plan.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace tagscope::ui {

class LibraryWindow : public QWidget {
    Q_OBJECT
public:
    explicit LibraryWindow(QWidget* parent = nullptr);
    ~LibraryWindow() override;

    /// Opens the catalog at `file` and lists its tracks; on failure shows why and returns false.
    bool openCatalog(const QString& file);
    /// Re-reads the open catalog (after a scan).
    void reload();
    /// Sets the filter controls (tag as "name (vocabulary)" or a bare name) and applies them.
    void setFilter(const catalog::TrackFilter& filter);
    /// Tracks listed after filtering.
    int visibleTracks() const;
    /// Opens the listed track at `row`: emits trackOpened with its stored analysis.
    bool openRow(int row);
    /// The stored tags of the selected tracks (newest analysis of each), for writing into files.
    std::vector<tagfile::TrackTags> selectedTracks() const;
    /// Opens the review dialog for the selected tracks (button "Write tags…"); the rows of the
    /// files it writes are updated afterwards.
    void reviewSelected();
    /// After `files` were rewritten with unchanged audio: their rows take the new size and
    /// mtime (same audio hash, same analyses), so a scan does not read them again.
    void noteWritten(const std::vector<std::filesystem::path>& files);

Q_SIGNALS:
    /// The user opened a track; `analysis` is its latest stored analysis (no mel spectrogram).
    void trackOpened(const QString& path, const tagscope::analysis::TrackAnalysis& analysis);

private:
    void applyFilter();
    void fillChoices();
    catalog::TrackFilter currentFilter() const;

    std::optional<catalog::Catalog> m_catalog;
    std::vector<catalog::LibraryEntry> m_entries;
    std::vector<std::string> m_tagKeys;       ///< filter key per tag choice (index 0 = any)
    QLineEdit* m_text;
    QComboBox* m_tag;
    QComboBox* m_group;
    QDoubleSpinBox* m_threshold;
    QTreeWidget* m_list;
    QLabel* m_status;
    QPushButton* m_write;
};

} // namespace tagscope::ui
