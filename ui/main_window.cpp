// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/main_window.h"

#include <algorithm>
#include <utility>

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QInputDialog>
#include <QScreen>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/tags/tag_vocabulary.h"

#include "ui/analysis_controller.h"
#include "ui/library_window.h"
#include "ui/compare_window.h"
#include "ui/explanation_figure.h"
#include "ui/export.h"
#include "ui/file_queue_menu.h"
#include "ui/model_bootstrap.h"
#include "ui/musical_panel.h"
#include "ui/musical_views.h"
#include "ui/feature_curves_view.h"
#include "ui/overlay_controls.h"
#include "ui/playback_controller.h"
#include "ui/playback_loader.h"
#include "ui/tag_panel.h"
#include "ui/tag_review_dialog.h"
#include "ui/timeline_plot.h"
#include "ui/track_views.h"
#include "ui/trust_chart.h"
#include "ui/trust_summary.h"

namespace tagscope::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_controller(new AnalysisController(this)), m_playback(new PlaybackController(this)),
      m_views(new TrackViews(this)), m_tags(new TagPanel(this)), m_trust(new TrustPanel(this)),
      m_overlays(new OverlayControls(this)), m_loader(new PlaybackLoader(this)) {
    setWindowTitle(QStringLiteral("Tagscope"));
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    initResources();
    setWindowIcon(QIcon(QStringLiteral(":/tagscope/icons/tagscope.svg")));
    m_settings = loadViewSettings();

    buildLayout();
    buildMenus();
    buildToolBar();
    buildStatusBar();
    connectController();
    connectPlayback();

    m_overlays->setSettings(m_settings);
    m_tags->setThreshold(m_settings.threshold);
    m_views->applySettings(m_settings);
    connect(m_overlays, &OverlayControls::changed, this, [this] {
        m_settings = m_overlays->apply(m_settings);
        m_views->applySettings(m_settings);
    });
    connect(m_tags, &TagPanel::selectionChanged, this, &MainWindow::onSelection);
    connect(m_views->plot(), &TimelinePlot::hovered, this, [this](int row, double t, double v) {
        m_hover->setText(m_views->readout(row, t, v));
    });
    connect(m_views->plot(), &TimelinePlot::hoverLeft, this, [this] { m_hover->clear(); });

    fitToScreen();
    if (!m_settings.geometry.isEmpty()) restoreGeometry(m_settings.geometry);
    if (!m_settings.windowState.isEmpty()) restoreState(m_settings.windowState);
    updateRecentMenu();
}

void MainWindow::buildLayout() {
    // NOTE: the views on the left, tags over trust on the right; both splitters let a panel be
    // dragged smaller or collapsed (View menu brings it back), and minimum sizes keep the whole
    // window usable on a 1366x768 laptop screen.
    m_sideSplitter = new QSplitter(Qt::Vertical, this);
    m_sideSplitter->setObjectName(QStringLiteral("SideSplitter"));
    m_sideSplitter->addWidget(m_tags);
    m_sideSplitter->addWidget(m_trust);
    m_musical = new MusicalViews(m_controller, m_views->plot(), this);
    m_sideSplitter->addWidget(m_musical->panel());
    connect(m_musical, &MusicalViews::message, this, &MainWindow::setMessage);
    m_sideSplitter->setStretchFactor(0, 3);
    m_sideSplitter->setStretchFactor(1, 1);
    m_sideSplitter->setStretchFactor(2, 1);
    m_sideSplitter->setCollapsible(0, false);
    m_tags->setMinimumSize(220, 160);
    m_trust->setMinimumHeight(110);
    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->setObjectName(QStringLiteral("MainSplitter"));
    auto* timeline = new QWidget(this);
    auto* timelineLayout = new QVBoxLayout(timeline);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    timelineLayout->setSpacing(0);
    timelineLayout->addWidget(m_views, 1);
    timelineLayout->addWidget(m_musical->curves());
    m_mainSplitter->addWidget(timeline);
    m_mainSplitter->addWidget(m_sideSplitter);
    m_mainSplitter->setStretchFactor(0, 4);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setCollapsible(0, false);
    setCentralWidget(m_mainSplitter);
}

QSize defaultWindowSize(QSize available) {
    // NOTE: never larger than the screen's free area (a 1366x768 laptop has ~1366x740 of it);
    // on larger screens 90 % of it, so a 1920x1080 desktop is used (not a 1500x920 island).
    const QSize preferred(1500, 920);
    if (!available.isValid() || available.isEmpty()) return preferred;
    if (available.width() <= preferred.width() || available.height() <= preferred.height())
        return preferred.boundedTo(available);
    return preferred.expandedTo(QSize(available.width() * 9 / 10, available.height() * 9 / 10));
}

void MainWindow::fitToScreen() {
    const QScreen* s = screen();
    const QSize size = defaultWindowSize(s ? s->availableGeometry().size() : QSize());
    resize(size);
    const int side = std::clamp(size.width() / 4, 250, 360);
    m_mainSplitter->setSizes({size.width() - side, side});
    m_sideSplitter->setSizes({size.height() * 2 / 5, size.height() / 4, size.height() * 7 / 20});
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open audio"), QString(),
                                                          tr("Audio (*.wav *.flac *.ogg *.mp3 *.aiff *.opus);;All files (*)"));
        if (!path.isEmpty()) openFile(path);
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addAction(tr("&Library…"), QKeySequence(tr("Ctrl+L")), this, &MainWindow::showLibrary);
    file->addSeparator();
    file->addAction(tr("Export &view (PNG, SVG, PDF)…"), this, &MainWindow::exportView);
    file->addAction(tr("Export &results (JSON, CSV)…"), this, &MainWindow::exportResults);
    file->addAction(tr("&Write tags to files…"), this, [this] {
        TagReviewDialog::reviewAndWrite(this, m_controller->analysis(), m_controller->model());
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Show whole track"), this, [this] {
        m_views->plot()->setTimeRange(0.0, m_views->plot()->duration());
    });
    m_queue = new FileQueueMenu(this);
    menuBar()->addMenu(m_queue);
    connect(m_queue, &FileQueueMenu::openRequested, this, &MainWindow::openFile);
    QAction* side = view->addAction(tr("Tags and trust panel"));
    side->setCheckable(true);
    side->setChecked(true);
    connect(side, &QAction::toggled, m_sideSplitter, &QWidget::setVisible);
    QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
    analysis->addAction(tr("&Compare with model…"), this, [this] { compareWithModel(-1); });
}

void MainWindow::buildToolBar() {
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("MainToolBar"));
    bar->addWidget(new QLabel(tr(" Model "), bar));
    m_modelBox = new QComboBox(bar);
    m_modelBox->setMinimumContentsLength(22);
    bar->addWidget(m_modelBox);
    bar->addSeparator();
    m_playAction = bar->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play/Pause (Space)"),
                                  m_playback, &PlaybackController::togglePlayPause);
    m_stopAction = bar->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this, [this] {
        m_playback->stop();
        m_playback->seek(0.0);
    });
    m_loopAction = bar->addAction(tr("Loop selection"));
    m_loopAction->setCheckable(true);
    m_evidenceAction = bar->addAction(tr("Play evidence"), this, [this] {
        if (m_selected.empty()) return;
        if (const auto it = m_explanations.find(m_selected.front()); it != m_explanations.end())
            m_playback->playSegments(it->second->evidenceSegments);
    });
    auto* space = new QShortcut(QKeySequence(Qt::Key_Space), this);
    connect(space, &QShortcut::activated, m_playback, &PlaybackController::togglePlayPause);
    QToolBar* overlays = new QToolBar(tr("Overlays"), this);
    overlays->setObjectName(QStringLiteral("OverlayToolBar"));
    overlays->addWidget(m_overlays);
    addToolBarBreak();
    addToolBar(overlays);
}

void MainWindow::buildStatusBar() {
    m_message = new QLabel(this);
    m_hover = new QLabel(this);
    m_hover->setMinimumWidth(260);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setVisible(false);
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setVisible(false);
    statusBar()->addWidget(m_message, 1);
    statusBar()->addPermanentWidget(m_hover);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, m_controller, &AnalysisController::cancel);
}

void MainWindow::setMessage(const QString& text) { m_message->setText(text); }

void MainWindow::connectController() {
    auto* c = m_controller;
    connect(c, &AnalysisController::busyChanged, this, [this](bool busy) {
        m_progress->setVisible(busy);
        m_cancel->setVisible(busy);
        if (!busy) maybeTakeScreenshot();
    });
    connect(c, &AnalysisController::progressChanged, this, [this](double f, const QString& stage) {
        m_progress->setValue(int(f * 1000));
        m_progress->setFormat(stage + QStringLiteral(" %p%"));
    });
    connect(c, &AnalysisController::started, this, [this](const QString& path) {
        m_chunks.clear();
        m_selected.clear();
        m_explanations.clear();
        m_analysis.reset();
        m_useAnalysisAudio = false;
        m_playback->clear();
        if (m_playback->isAvailable()) m_loader->load(path); // the music as recorded, for listening
        m_tags->clear();
        m_trust->clear();
        m_views->clear();
        setWindowTitle(QFileInfo(path).fileName() + QStringLiteral(" — Tagscope"));
        setMessage(tr("Analysing %1…").arg(QFileInfo(path).fileName()));
    });
    connect(c, &AnalysisController::chunkArrived, this, [this](const analysis::ChunkPrediction& chunk) {
        // NOTE: the card of the model that produced the chunk, not the one being chosen.
        const cards::ModelCard* card = m_controller->analysisCard();
        if (!card) return;
        m_chunks.push_back(chunk);
        analysis::Taggram taggram;
        taggram.tagCount = chunk.probabilities.size();
        std::vector<float> mean(taggram.tagCount, 0.0f);
        for (const auto& ch : m_chunks) {
            taggram.chunkStartSeconds.push_back(ch.startSeconds);
            taggram.chunkEndSeconds.push_back(ch.endSeconds);
            taggram.values.insert(taggram.values.end(), ch.probabilities.begin(), ch.probabilities.end());
            for (size_t t = 0; t < mean.size() && t < ch.probabilities.size(); ++t)
                mean[t] += ch.probabilities[t] / float(m_chunks.size());
        }
        const auto names = tags::displayTagNames(card->tagNames(), card->vocabularyOfTags());
        m_tags->setProvisional(names, mean);
    });
    connect(c, &AnalysisController::analysisReady, this, [this](const analysis::TrackAnalysis& result) {
        const cards::ModelCard* card = m_controller->analysisCard();
        const dsp::MelConfig mel = card ? card->mel : dsp::MelConfig{};
        m_analysis = std::make_shared<const analysis::TrackAnalysis>(result);
        m_views->setAnalysis(m_analysis, mel);
        m_tags->setAnalysis(result);
        const bool tagged = !result.tagNames.empty();
        m_overlays->setAttentionShape(result.attention ? result.attention->layers : 0,
                                      result.attention ? result.attention->heads : 0);
        // With track chunks the tags' scores come from longer chunks than the taggram shows.
        const QString chunks = result.trackChunkSeconds > 0.0
                                   ? tr("%1 chunks of %2 s; track tags from %3 s chunks")
                                         .arg(result.taggram.chunkCount())
                                         .arg(result.chunkSeconds, 0, 'f', 0)
                                         .arg(result.trackChunkSeconds, 0, 'f', 0)
                                   : tr("%1 chunks").arg(result.taggram.chunkCount());
        setMessage(tagged ? tr("%1: %2 tags, %3").arg(QFileInfo(m_controller->currentFile()).fileName())
                                .arg(result.tagNames.size()).arg(chunks)
                          : tr("No model is installed: showing the spectrogram only."));
        if (!m_startup.selectTag.isEmpty() && tagged) {
            const auto it = std::find(result.tagNames.begin(), result.tagNames.end(), m_startup.selectTag.toStdString());
            if (it == result.tagNames.end() || !m_tags->selectTag(size_t(it - result.tagNames.begin())))
                setMessage(tr("Tag '%1' is not in this model's vocabulary").arg(m_startup.selectTag));
        } else if (tagged && !result.ranked(1).empty()) {
            m_tags->selectTag(result.ranked(1).front().index);
        }
        if (!m_startup.compareModel.isEmpty() && tagged) startComparison();
    });
    // NOTE: the analysis buffer (16 kHz mono) is only played when the file cannot be decoded as recorded.
    connect(c, &AnalysisController::audioReady, this, [this](const SharedAudio& audio) {
        if (m_useAnalysisAudio) m_playback->setAudio(audio);
    });
    connect(c, &AnalysisController::playbackAudioReady, this, [this](const SharedAudio& audio) {
        if (!audio) setMessage(tr("Cannot prepare the audio for the output device."));
        else m_playback->setAudio(audio);
    });
    connect(c, &AnalysisController::explanationReady, this, [this](const analysis::TagExplanation& e) {
        m_explanations[e.tag] = std::make_shared<const analysis::TagExplanation>(e);
        refreshExplanations();
    });
    connect(c, &AnalysisController::explanationFailed, this, [this](quint64, const QString& message) {
        setMessage(tr("Explanation failed: %1").arg(message));
        maybeTakeScreenshot();
    });
    connect(c, &AnalysisController::failed, this, [this](const QString& message) {
        setMessage(tr("Analysis failed: %1").arg(message));
        maybeTakeScreenshot();
    });
    connect(c, &AnalysisController::cancelled, this, [this] { setMessage(tr("Analysis cancelled.")); });
    connect(c, &AnalysisController::modelReady, this, [this](const QString& name) {
        setMessage(tr("Model %1 ready").arg(name));
        if (std::exchange(m_reopenAfterModel, false)) openFile(m_controller->currentFile());
    });
    connect(c, &AnalysisController::modelFailed, this, [this](const QString& message) {
        setMessage(tr("Cannot load the model: %1 — showing the spectrogram only.").arg(message));
        m_controller->clearModel();
        if (std::exchange(m_reopenAfterModel, false)) openFile(m_controller->currentFile());
    });
}

void MainWindow::connectPlayback() {
    const bool on = m_playback->isAvailable();
    for (QAction* a : {m_playAction, m_stopAction, m_loopAction, m_evidenceAction}) {
        a->setEnabled(on);
        if (!on) a->setToolTip(m_playback->unavailableReason());
    }
    if (!on) m_hover->setText(m_playback->unavailableReason());
    connect(m_playback, &PlaybackController::needsSampleRate, m_controller, &AnalysisController::requestPlaybackAudio);
    connect(m_loader, &PlaybackLoader::ready, this, [this](quint64, const SharedPlayback& audio) {
        // NOTE: converted only when the device cannot play the file's own rate and channels.
        if (m_playback->supportsFormat(audio->sampleRate, audio->channels) || m_playback->preferredChannels() == 0)
            m_playback->setPlaybackAudio(audio);
        else
            m_loader->convert(audio, m_playback->preferredSampleRate(), m_playback->preferredChannels());
    });
    connect(m_loader, &PlaybackLoader::failed, this, [this](quint64, const QString& message) {
        setMessage(tr("Playing the analysis audio (16 kHz mono): %1").arg(message));
        m_useAnalysisAudio = true;
        if (const auto& audio = m_controller->audio()) m_playback->setAudio(audio);
    });

    connect(m_playback, &PlaybackController::positionChanged, m_views->plot(), &TimelinePlot::setPlayhead);
    connect(m_playback, &PlaybackController::stateChanged, this, [this](PlaybackController::State s) {
        m_playAction->setIcon(style()->standardIcon(s == PlaybackController::State::Playing ? QStyle::SP_MediaPause
                                                                                            : QStyle::SP_MediaPlay));
    });
    connect(m_views->plot(), &TimelinePlot::seekRequested, m_playback, &PlaybackController::seek);
    connect(m_views->plot(), &TimelinePlot::regionSelected, this, [this](double a, double b) {
        m_playback->playRegion(a, b, m_loopAction->isChecked());
    });
}

void MainWindow::startUp(const StartupOptions& options) {
    m_startup = options;
    if (!options.overlays.isEmpty())
        m_overlays->enableOverlays(options.overlays.contains(QStringLiteral("attention")),
                                   options.overlays.contains(QStringLiteral("relevance")));
    m_models = installedModels();
    std::optional<cards::ModelCard> extra = cardFor(options.model);
    const QString suffix = QFileInfo(options.model).suffix();
    const bool fileGiven = suffix == QLatin1String("pth") || suffix == QLatin1String("json");
    if (!extra && !fileGiven && m_models.empty()) extra = defaultModel(m_models);
    populateModels(extra);
    QString file = options.files.size() > 1 ? m_queue->setFiles(options.files) : options.file;
    if (file.isEmpty())
        if (auto demo = demoClip()) file = QString::fromStdString(demo->string());
    if (file.isEmpty()) {
        setMessage(tr("Open a track with File ▸ Open or drop one on the window."));
        return;
    }
    openFile(file);
}

std::optional<cards::ModelCard> MainWindow::cardFor(const QString& model) {
    const QString suffix = QFileInfo(model).suffix();
    if (model.isEmpty() || (suffix != QLatin1String("pth") && suffix != QLatin1String("json"))) return std::nullopt;
    auto card = suffix == QLatin1String("pth") ? upstreamCheckpointCard(model.toStdString(), sharedDirectory() / "tags")
                                               : cards::loadModelCard(model.toStdString());
    if (card) return *card;
    setMessage(QString::fromStdString(card.error().message));
    return std::nullopt;
}

void MainWindow::startComparison() {
    const QString wanted = std::exchange(m_startup.compareModel, QString());
    int index = -1;
    if (auto card = cardFor(wanted)) {
        m_models.push_back(*card);
        index = int(m_models.size()) - 1;
    } else {
        for (size_t i = 0; i < m_models.size(); ++i)
            if (QString::fromStdString(m_models[i].id) == wanted) index = int(i);
    }
    if (index < 0) return setMessage(tr("No model '%1' to compare with.").arg(wanted));
    compareWithModel(index);
}

void MainWindow::populateModels(const std::optional<cards::ModelCard>& extra) {
    if (extra) m_models.insert(m_models.begin(), *extra);
    QSignalBlocker block(m_modelBox);
    m_modelBox->clear();
    int chosen = -1;
    for (size_t i = 0; i < m_models.size(); ++i) {
        const auto& card = m_models[i];
        m_modelBox->addItem(QString::fromStdString(card.name.empty() ? card.id : card.name));
        if (chosen < 0 && QString::fromStdString(card.id) == m_settings.modelId) chosen = int(i);
    }
    if (extra || chosen < 0) chosen = m_models.empty() ? -1 : 0;
    if (m_models.empty()) {
        m_modelBox->addItem(tr("(no model installed)"));
        m_modelBox->setEnabled(false);
        return;
    }
    m_modelBox->setCurrentIndex(chosen);
    connect(m_modelBox, &QComboBox::currentIndexChanged, this, &MainWindow::chooseModel, Qt::UniqueConnection);
    chooseModel(chosen);
}

void MainWindow::chooseModel(int index) {
    if (index < 0 || size_t(index) >= m_models.size()) return;
    m_settings.modelId = QString::fromStdString(m_models[size_t(index)].id);
    // NOTE: a track already shown is analysed again with the new model once it is loaded.
    m_reopenAfterModel = !m_controller->currentFile().isEmpty();
    setMessage(tr("Loading model %1…").arg(m_modelBox->itemText(index)));
    m_controller->setModel(m_models[size_t(index)]);
}

void MainWindow::openFile(const QString& path) {
    m_screenshotDone = false;
    m_queue->setCurrentFile(path);
    m_settings.recentFiles = pushRecentFile(m_settings.recentFiles, QFileInfo(path).absoluteFilePath());
    updateRecentMenu();
    m_controller->open(path);
}

void MainWindow::showLibrary() {
    if (!m_library) {
        m_library = new LibraryWindow(this);
        connect(m_library, &LibraryWindow::trackOpened, this, [this](const QString& path, const analysis::TrackAnalysis& a) {
            m_screenshotDone = false;
            m_controller->openStored(path, a);
        });
        m_library->openCatalog(QFile::decodeName(catalog::Catalog::defaultPath().native().c_str()));
    } else {
        m_library->reload();
    }
    m_library->show();
    m_library->raise();
}

void MainWindow::updateRecentMenu() {
    m_recentMenu->clear();
    for (const QString& path : m_settings.recentFiles)
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })->setToolTip(path);
    m_recentMenu->setEnabled(!m_settings.recentFiles.isEmpty());
}

void MainWindow::onSelection(const std::vector<size_t>& tags) {
    m_selected = tags;
    // NOTE: asked first so the quick musical explanation is not queued behind the deletion test.
    const auto& a = m_controller->analysis();
    if (tags.empty() || !a || tags.front() >= a->tagNames.size()) m_musical->setTag(std::nullopt, {});
    else m_musical->setTag(tags.front(), QString::fromStdString(tags::displayTagNames(a->tagNames, a->vocabularyOfTag)[tags.front()]));
    for (size_t tag : tags) m_controller->requestExplanation(tag);
    refreshExplanations();
}

void MainWindow::refreshExplanations() {
    std::vector<std::shared_ptr<const analysis::TagExplanation>> explanations;
    std::vector<std::string> names;
    const auto displayNames = m_analysis ? tags::displayTagNames(m_analysis->tagNames, m_analysis->vocabularyOfTag)
                                         : std::vector<std::string>{};
    for (size_t tag : m_selected) {
        const auto it = m_explanations.find(tag);
        explanations.push_back(it == m_explanations.end() ? nullptr : it->second);
        names.push_back(tag < displayNames.size() ? displayNames[tag] : std::string());
    }
    m_views->setExplanations(explanations, names);
    if (!explanations.empty() && explanations.front()) {
        const auto& e = *explanations.front();
        TrustCurve curve = trustCurveFor(e, names.front());
        if (curve.title.isEmpty())
            curve.title = tr("Trust — %1 (p = %2)").arg(QString::fromStdString(names.front())).arg(double(e.trackScore), 0, 'f', 2);
        m_trust->setCurve(curve);
    } else if (!m_selected.empty()) {
        m_trust->showMessage(tr("Explaining…"));
    } else {
        m_trust->clear();
    }
    m_evidenceAction->setEnabled(m_playback->isAvailable() && !explanations.empty() && explanations.front() &&
                                 !explanations.front()->evidenceSegments.empty());
}

void MainWindow::maybeTakeScreenshot() {
    if (m_startup.screenshot.isEmpty() || m_screenshotDone || m_controller->isBusy()) return;
    if (!m_controller->analysis() && m_controller->currentFile().isEmpty()) return;
    m_screenshotDone = true;
    // NOTE: re-checked when the timer fires: a selection made on analysisReady starts an explanation.
    QTimer::singleShot(400, this, [this] {
        if (m_controller->isBusy()) {
            m_screenshotDone = false;
            return;
        }
        // NOTE: with a comparison open, wait for both models' explanations, then shoot that window.
        if (m_compare && m_compare->isVisible()) {
            if (!m_compare->agreementText().contains(QStringLiteral("%")) && ++m_screenshotWaits < 600) {
                m_screenshotDone = false;
                if (!m_compare->rows().empty()) m_compare->selectRow(0);
                QTimer::singleShot(500, this, &MainWindow::maybeTakeScreenshot);
                return;
            }
        }
        QWidget* target = m_compare && m_compare->isVisible() ? static_cast<QWidget*>(m_compare) : this;
        auto saved = exportWidgetPng(target, m_startup.screenshot);
        if (!saved) qWarning("%s", saved.error().message.c_str());
        QApplication::exit(saved ? 0 : 1);
    });
}

void MainWindow::exportView() {
    if (!m_analysis) return setMessage(tr("Nothing to export yet."));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export view"), QString(),
                                                      tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (path.isEmpty()) return;
    // NOTE: the same labelled figure as `tagscope-cli explain --png` (one renderer).
    FigureInput input;
    input.analysis = m_analysis.get();
    for (size_t tag : m_selected)
        if (const auto it = m_explanations.find(tag); it != m_explanations.end()) input.explanations.push_back(it->second.get());
    input.fileName = QFileInfo(m_controller->currentFile()).fileName().toStdString();
    if (const cards::ModelCard* card = m_controller->analysisCard()) {
        input.modelName = card->name.empty() ? card->id : card->name;
        input.mel = card->mel;
    }
    FigureStyle style;
    style.colourMap = m_settings.colourMap;
    style.dynamicRangeDb = m_settings.dynamicRangeDb;
    style.relevance = m_settings.relevance;
    style.attention = m_settings.attention;
    auto ok = exportFigure(ExplanationFigure(input, style), path);
    setMessage(ok ? tr("Saved %1").arg(path) : QString::fromStdString(ok.error().message));
}

void MainWindow::exportResults() {
    if (!m_controller->analysis()) return setMessage(tr("Nothing to export yet."));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export results"), QString(),
                                                      tr("JSON (*.json);;CSV (*.csv)"));
    if (path.isEmpty()) return;
    std::vector<analysis::TagExplanation> explanations;
    for (size_t tag : m_selected)
        if (const auto* e = m_controller->explanation(tag)) explanations.push_back(*e);
    auto ok = ui::exportResults(*m_controller->analysis(), m_controller->analysisCard(), explanations, path);
    setMessage(ok ? tr("Saved %1").arg(path) : QString::fromStdString(ok.error().message));
}

void MainWindow::compareWithModel(int cardIndex) {
    if (!m_analysis || m_controller->currentFile().isEmpty()) return setMessage(tr("Open and analyse a track first."));
    if (cardIndex < 0) {
        QStringList names;
        for (const auto& card : m_models) names << QString::fromStdString(card.name.empty() ? card.id : card.name);
        if (names.size() < 2) return setMessage(tr("Install a second model to compare with (see models import)."));
        bool ok = false;
        const QString chosen = QInputDialog::getItem(this, tr("Compare with model"), tr("Second model:"), names,
                                                     m_modelBox->currentIndex() == 0 ? 1 : 0, false, &ok);
        if (!ok) return;
        cardIndex = int(names.indexOf(chosen));
    }
    if (cardIndex < 0 || size_t(cardIndex) >= m_models.size()) return;
    if (!m_compare) {
        m_compare = new CompareWindow(m_controller, this);
        connect(m_playback, &PlaybackController::positionChanged, m_compare, &CompareWindow::setPlayhead);
        connect(m_compare, &CompareWindow::seekRequested, m_playback, &PlaybackController::seek);
    }
    const cards::ModelCard* card = m_controller->analysisCard();
    const QString nameA = card ? QString::fromStdString(card->name.empty() ? card->id : card->name) : tr("no model");
    m_compare->start(m_analysis, card ? card->mel : dsp::MelConfig{}, nameA, m_models[size_t(cardIndex)],
                     m_controller->currentFile());
    m_compare->resize(size());
    m_compare->show();
    m_compare->raise();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    m_settings = m_overlays->apply(m_settings);
    m_settings.threshold = m_tags->threshold();
    m_settings.geometry = saveGeometry();
    m_settings.windowState = saveState();
    saveViewSettings(m_settings);
    m_controller->cancel();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList files;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) files.append(url.toLocalFile());
    if (files.size() > 1) m_queue->setFiles(files);
    if (!files.isEmpty()) openFile(files.front());
}

} // namespace tagscope::ui
