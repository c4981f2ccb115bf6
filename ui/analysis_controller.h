// SPDX-License-Identifier: GPL-3.0-or-later
// GUI-thread side of the analysis: requests, cancellation, stale-result filtering, caches.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>

#include <QObject>
#include <QString>
#include <QThread>

#include "core/analysis/track_analysis.h"
#include "core/common/progress.h"
#include "core/cards/model_card.h"
#include "ui/analysis_worker.h"
#include "ui/meta_types.h"
#include "ui/musical_meta_types.h"

namespace tagscope::ui {

/// Stops and joins a thread before deleting it (qBittorrent's pattern).
struct ThreadStopper {
    void operator()(QThread* thread) const;
};

/// Owns the worker thread and turns user intents (open a file, choose a model, explain a tag,
/// cancel) into worker requests with increasing ids. Results of superseded requests are
/// dropped here, so views only ever see the current track. All members: GUI thread only.
/// Usable without any widget (tests drive it with QSignalSpy).
class AnalysisController : public QObject {
    Q_OBJECT
public:
    /// `loader` loads models on the worker (empty: model::Tagger::load; tests inject their own).
    explicit AnalysisController(QObject* parent = nullptr, ModelLoader loader = {});
    /// Cancels whatever runs (analysis, explanation, model load) and waits at most
    /// quitTimeoutMs() for the worker; a worker still busy after that is left to finish on its
    /// own (see abandonedWorkers()) so quitting never hangs.
    ~AnalysisController() override;

    /// Loads `card` on the worker (asynchronous; modelReady or modelFailed follows). A running
    /// analysis is cancelled first and its remaining results dropped (the worker finishes it
    /// before it loads, so no chunk of the old model is ever shown as the new model's).
    void setModel(const cards::ModelCard& card);
    /// Forgets the model (cancelling a running analysis): analyses then only show the spectrogram.
    void clearModel();
    /// The card of the model that produced the current analysis (its chunks, result and
    /// explanations), or null when it ran without a model. Views and exports read tag names, mel
    /// settings and ids from here, never from model(), which may already be the next model.
    const cards::ModelCard* analysisCard() const { return m_analysisCard.get(); }
    /// Longest wait for the worker when the controller is destroyed (default 2000 ms).
    void setQuitTimeoutMs(int ms) { m_quitTimeoutMs = ms; }
    int quitTimeoutMs() const { return m_quitTimeoutMs; }
    /// Worker threads left running by destroyed controllers because they did not stop in time.
    static int abandonedWorkers();
    /// The card of the current model, when one is loaded.
    const std::optional<cards::ModelCard>& model() const { return m_card; }
    bool hasModel() const { return m_card.has_value() && m_modelReady; }

    /// Starts analysing `path`, cancelling whatever runs; returns the request id.
    quint64 open(const QString& path);
    /// Shows `stored` (an analysis read from the catalog) for `path` without running the model;
    /// the worker only decodes the audio for the spectrogram and playback. Returns the request id.
    quint64 openStored(const QString& path, const analysis::TrackAnalysis& stored);
    /// Cancels the running analysis and its pending explanations.
    void cancel();
    /// Explanations of `tag` for the current analysis: emitted at once when cached.
    void requestExplanation(size_t tag);
    /// Asks for the current audio resampled to `sampleRate` (playbackAudioReady follows).
    void requestPlaybackAudio(int sampleRate);
    /// `tag` of the current analysis explained in musical terms (musicalExplanationReady or
    /// musicalExplanationFailed follows; emitted at once when cached). analysis_controller_musical.cpp.
    void requestMusicalExplanation(size_t tag);
    /// Cached musical explanation of `tag` for the current track, or null.
    const surrogate::MusicalTagExplanation* musicalExplanation(size_t tag) const;

    bool isBusy() const { return m_busy; }
    quint64 currentRequest() const { return m_current; }
    /// Results dropped because a newer request superseded theirs (for diagnostics and tests).
    int staleResultsDropped() const { return m_staleDropped; }
    const std::optional<analysis::TrackAnalysis>& analysis() const { return m_analysis; }
    const SharedAudio& audio() const { return m_audio; }
    /// Cached explanation of `tag`, or null.
    const analysis::TagExplanation* explanation(size_t tag) const;
    QString currentFile() const { return m_file; }

    // Worker results (queued from the worker thread; public so tests can inject results).
    void handleModelLoaded(quint64 id, const QString& name, const QString& error);
    void handleAnalysisStarted(quint64 id, const SharedCard& card);
    void handleProgress(quint64 id, double fraction, const QString& stage);
    void handleChunk(quint64 id, const analysis::ChunkPrediction& chunk);
    void handleAudio(quint64 id, const SharedAudio& audio);
    void handleFinished(quint64 id, const analysis::TrackAnalysis& result);
    void handleExplanation(quint64 id, const analysis::TagExplanation& explanation);
    void handleExplanationFailed(quint64 id, quint64 tag, const QString& message, bool cancelled);
    void handlePlaybackAudio(quint64 id, const SharedAudio& audio);
    void handleFailed(quint64 id, const QString& message, bool cancelled);
    void handleMusicalExplanation(quint64 id, const surrogate::MusicalTagExplanation& explanation);
    void handleMusicalExplanationFailed(quint64 id, quint64 tag, const QString& message, bool cancelled);

Q_SIGNALS:
    void modelReady(const QString& name);
    void modelFailed(const QString& message);
    /// A new analysis of `path` started.
    void started(const QString& path);
    void progressChanged(double fraction, const QString& stage);
    void chunkArrived(const tagscope::analysis::ChunkPrediction& chunk);
    void audioReady(const tagscope::ui::SharedAudio& audio);
    void analysisReady(const tagscope::analysis::TrackAnalysis& result);
    void explanationReady(const tagscope::analysis::TagExplanation& explanation);
    void explanationFailed(quint64 tag, const QString& message);
    void playbackAudioReady(const tagscope::ui::SharedAudio& audio);
    void failed(const QString& message);
    void cancelled();
    void busyChanged(bool busy);
    void musicalExplanationReady(const tagscope::surrogate::MusicalTagExplanation& explanation);
    void musicalExplanationFailed(quint64 tag, const QString& message);

private:
    bool isStale(quint64 id);
    void updateBusy();
    void stopRunningAnalysis();
    void connectMusicalWorker();

    AnalysisWorker* m_worker = nullptr; // lives on m_thread; deleted there when it finishes
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    std::shared_ptr<CancelToken> m_cancel;      ///< the current analysis and its explanations
    std::shared_ptr<CancelToken> m_modelCancel; ///< the current model load
    quint64 m_nextId = 1;
    quint64 m_current = 0;
    quint64 m_modelRequest = 0;
    std::optional<cards::ModelCard> m_card;
    SharedCard m_requestedCard; ///< the card sent to the worker with the last setModel
    SharedCard m_loadedCard;    ///< the worker's model, once it reported it ready
    SharedCard m_analysisCard;  ///< the model of the current analysis (null: spectrogram only)
    bool m_modelReady = false;
    bool m_modelLoading = false;
    bool m_analysisRunning = false;
    bool m_busy = false;
    int m_quitTimeoutMs = 2000;
    int m_staleDropped = 0;
    QString m_file;
    std::optional<analysis::TrackAnalysis> m_analysis;
    SharedAudio m_audio;
    std::map<size_t, analysis::TagExplanation> m_explanations;
    std::set<size_t> m_pendingExplanations;
    quint64 m_musicalRequest = 0;  ///< the request m_musical belongs to
    std::map<size_t, surrogate::MusicalTagExplanation> m_musical;
    std::set<size_t> m_pendingMusical;
};

} // namespace tagscope::ui
