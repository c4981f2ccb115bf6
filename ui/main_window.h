// SPDX-License-Identifier: GPL-3.0-or-later
// The application window: opening tracks, choosing models, views, playback, export.
#pragma once

#include <optional>
#include <vector>

#include <QMainWindow>
#include <QStringList>

#include "core/analysis/track_analysis.h"
#include "core/io/model_card.h"
#include "ui/settings.h"

class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QToolButton;

namespace tagscope::ui {

class AnalysisController;
class MusicalViews;
class OverlayControls;
class PlaybackController;
class TagPanel;
class TrackViews;

/// What the command line asked for.
struct StartupOptions {
    QString file;                 ///< track to open (empty: the demo clip)
    QString model;                ///< card id, card path or upstream .pth (empty: default model)
    QString screenshot;           ///< save a window screenshot here once explained, then quit
    QString selectTag;            ///< tag to select once analysed
    QStringList overlays;         ///< overlays to switch on: "attention", "relevance"
};

/// Composition of the controller, views, tag panel and playback. GUI thread.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Chooses the model and opens the first track as `options` say.
    void startUp(const StartupOptions& options);
    /// Analyses `path` (cancelling what runs).
    void openFile(const QString& path);
    AnalysisController* controller() const { return m_controller; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildToolBar();
    void buildStatusBar();
    void connectController();
    void connectPlayback();
    void populateModels(const std::optional<io::ModelCard>& extra);
    void chooseModel(int index);
    void updateRecentMenu();
    void onSelection(const std::vector<size_t>& tags);
    void refreshExplanations();
    void maybeTakeScreenshot();
    void setMessage(const QString& text);
    void exportView();
    void exportResults();

    AnalysisController* m_controller;
    PlaybackController* m_playback;
    TrackViews* m_views;
    TagPanel* m_tags;
    QLabel* m_trust;
    OverlayControls* m_overlays;
    MusicalViews* m_musical = nullptr;
    QComboBox* m_modelBox = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QLabel* m_hover = nullptr;
    QLabel* m_message = nullptr;
    QMenu* m_recentMenu = nullptr;
    QAction* m_playAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_loopAction = nullptr;
    QAction* m_evidenceAction = nullptr;
    std::vector<io::ModelCard> m_models;
    std::vector<size_t> m_selected;
    std::vector<analysis::ChunkPrediction> m_chunks;
    ViewSettings m_settings;
    StartupOptions m_startup;
    bool m_screenshotDone = false;
    bool m_reopenAfterModel = false;
};

} // namespace tagscope::ui
