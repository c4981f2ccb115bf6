// SPDX-License-Identifier: GPL-3.0-or-later
// The application window: opening tracks, choosing models, views, playback, export.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <QMainWindow>
#include <QStringList>

#include "core/analysis/track_analysis.h"
#include "core/cards/model_card.h"
#include "ui/settings.h"

class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QSplitter;
class QToolButton;

namespace tagscope::ui {

class AnalysisController;
class LibraryWindow;
class CompareWindow;
class FileQueueMenu;
class MusicalViews;
class OverlayControls;
class PlaybackController;
class PlaybackLoader;
class TagPanel;
class TrackViews;
class TrustPanel;

/// What the command line asked for.
struct StartupOptions {
    QString file;                 ///< track to open (empty: the demo clip)
    QStringList files;            ///< every track given; more than one: queued, `file` opens first
    QString model;                ///< card id, card path or upstream .pth (empty: default model)
    QString screenshot;           ///< save a window screenshot here once explained, then quit
    QString selectTag;            ///< tag to select once analysed
    QStringList overlays;         ///< overlays to switch on: "attention", "relevance"
    QString compareModel;         ///< open the split view with this second model once analysed
};

/// The window's first size on a screen whose free area is `available`: all of a small screen,
/// 90 % of a large one, 1500x920 in between (a saved geometry wins over it).
QSize defaultWindowSize(QSize available);

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
    /// The views, tag panel and trust panel (for layout checks).
    TrackViews* views() const { return m_views; }
    TagPanel* tagPanel() const { return m_tags; }
    TrustPanel* trustPanel() const { return m_trust; }
    /// Opens the split view comparing the current analysis with the model `cardIndex` of the
    /// model list (asks when -1).
    void compareWithModel(int cardIndex = -1);
    /// The Queue menu of files given together (command line, drop).
    FileQueueMenu* queue() const { return m_queue; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildLayout();
    void buildMenus();
    void buildToolBar();
    void buildStatusBar();
    void connectController();
    void connectPlayback();
    void populateModels(const std::optional<cards::ModelCard>& extra);
    void chooseModel(int index);
    void updateRecentMenu();
    void onSelection(const std::vector<size_t>& tags);
    void refreshExplanations();
    void maybeTakeScreenshot();
    void startComparison();
    std::optional<cards::ModelCard> cardFor(const QString& model);
    void setMessage(const QString& text);
    void exportView();
    void exportResults();
    void showLibrary();
    void fitToScreen();

    AnalysisController* m_controller;
    PlaybackController* m_playback;
    TrackViews* m_views;
    TagPanel* m_tags;
    TrustPanel* m_trust;
    OverlayControls* m_overlays;
    PlaybackLoader* m_loader;
    QSplitter* m_mainSplitter = nullptr;
    QSplitter* m_sideSplitter = nullptr;
    CompareWindow* m_compare = nullptr;
    std::shared_ptr<const analysis::TrackAnalysis> m_analysis;
    std::map<size_t, std::shared_ptr<const analysis::TagExplanation>> m_explanations;
    MusicalViews* m_musical = nullptr;
    QComboBox* m_modelBox = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QLabel* m_hover = nullptr;
    QLabel* m_message = nullptr;
    QMenu* m_recentMenu = nullptr;
    LibraryWindow* m_library = nullptr;
    FileQueueMenu* m_queue = nullptr;
    QAction* m_playAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_loopAction = nullptr;
    QAction* m_evidenceAction = nullptr;
    std::vector<cards::ModelCard> m_models;
    std::vector<size_t> m_selected;
    std::vector<analysis::ChunkPrediction> m_chunks;
    ViewSettings m_settings;
    StartupOptions m_startup;
    bool m_screenshotDone = false;
    int m_screenshotWaits = 0;
    bool m_useAnalysisAudio = false; ///< the file could not be decoded as recorded: play the analysis buffer
    bool m_reopenAfterModel = false;
};

} // namespace tagscope::ui
