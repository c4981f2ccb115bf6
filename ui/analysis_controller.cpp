// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/analysis_controller.h"

#include <atomic>

#include <QDeadlineTimer>

#include "ui/analysis_worker.h"

namespace tagscope::ui {

namespace {
std::atomic<int> g_abandonedWorkers{0};
} // namespace

void ThreadStopper::operator()(QThread* thread) const {
    thread->quit();
    thread->wait();
    delete thread;
}

AnalysisController::AnalysisController(QObject* parent, ModelLoader loader)
    : QObject(parent), m_thread(new QThread), m_cancel(std::make_shared<CancelToken>()),
      m_modelCancel(std::make_shared<CancelToken>()) {
    registerMetaTypes();
    qRegisterMetaType<SharedCard>("tagscope::ui::SharedCard");
    m_thread->setObjectName(QStringLiteral("tagscope-analysis"));
    m_worker = new AnalysisWorker(std::move(loader));
    m_worker->moveToThread(m_thread.get());
    // NOTE: deleteLater on an object whose thread has stopped runs when the thread finishes,
    // so the model is destroyed on the thread that used it.
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &AnalysisWorker::modelLoaded, this, &AnalysisController::handleModelLoaded);
    connect(m_worker, &AnalysisWorker::analysisStarted, this, &AnalysisController::handleAnalysisStarted);
    connect(m_worker, &AnalysisWorker::progress, this, &AnalysisController::handleProgress);
    connect(m_worker, &AnalysisWorker::chunkReady, this, &AnalysisController::handleChunk);
    connect(m_worker, &AnalysisWorker::audioReady, this, &AnalysisController::handleAudio);
    connect(m_worker, &AnalysisWorker::finished, this, &AnalysisController::handleFinished);
    connect(m_worker, &AnalysisWorker::explanationReady, this, &AnalysisController::handleExplanation);
    connect(m_worker, &AnalysisWorker::explanationFailed, this, &AnalysisController::handleExplanationFailed);
    connect(m_worker, &AnalysisWorker::playbackAudioReady, this, &AnalysisController::handlePlaybackAudio);
    connect(m_worker, &AnalysisWorker::failed, this, &AnalysisController::handleFailed);
    connectMusicalWorker();
    m_thread->start();
}

AnalysisController::~AnalysisController() {
    // NOTE: the worker's signals are cut first, while it is certainly alive: when it is left to
    // finish on its own (below), QObject's destructor would otherwise unhook them while the
    // worker thread may be destroying it (ThreadSanitizer saw ~QObject read the worker's vtable
    // as ~AnalysisWorker ran on its thread).
    disconnect(m_worker, nullptr, this, nullptr);
    m_cancel->cancel();
    m_modelCancel->cancel();
    m_thread->quit();
    // NOTE: a running analysis or explanation sees the cancel flag within one chunk; a model load
    // checks it only before and after loading. If the worker is still busy when the time is up,
    // its thread is left to finish (and delete itself) instead of blocking the quit.
    if (m_thread->wait(QDeadlineTimer(m_quitTimeoutMs))) return; // m_thread's deleter joins at once
    ++g_abandonedWorkers;
    QThread* thread = m_thread.release();
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    qWarning("tagscope: the analysis worker did not stop within %d ms; quitting without waiting for it",
             m_quitTimeoutMs);
}

int AnalysisController::abandonedWorkers() { return g_abandonedWorkers.load(); }

void AnalysisController::stopRunningAnalysis() {
    m_cancel->cancel();
    m_cancel = std::make_shared<CancelToken>();
    m_pendingExplanations.clear();
    if (m_analysisRunning) {
        // The worker finishes the cancelled run before it reads the next request; whatever the
        // run still reports carries the old id and is dropped as stale.
        m_analysisRunning = false;
        m_current = m_nextId++;
    }
}

void AnalysisController::setModel(const cards::ModelCard& card) {
    stopRunningAnalysis();
    m_modelCancel->cancel(); // an older load still queued is pointless now
    m_modelCancel = std::make_shared<CancelToken>();
    m_card = card;
    m_requestedCard = std::make_shared<const cards::ModelCard>(card);
    m_loadedCard.reset();
    m_modelReady = false;
    m_modelLoading = true;
    m_modelRequest = m_nextId++;
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id = m_modelRequest, shared = m_requestedCard,
                                         token = m_modelCancel] { w->loadModel(id, shared, token); });
    updateBusy();
}

void AnalysisController::clearModel() {
    stopRunningAnalysis();
    m_modelCancel->cancel();
    m_modelCancel = std::make_shared<CancelToken>();
    m_card.reset();
    m_requestedCard.reset();
    m_loadedCard.reset();
    m_modelReady = false;
    m_modelLoading = false;
    m_modelRequest = m_nextId++;
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->unloadModel(); });
    updateBusy();
}

quint64 AnalysisController::open(const QString& path) {
    m_cancel->cancel();
    m_cancel = std::make_shared<CancelToken>();
    m_current = m_nextId++;
    m_file = path;
    m_analysis.reset();
    m_audio.reset();
    m_explanations.clear();
    m_pendingExplanations.clear();
    m_analysisCard.reset();
    m_analysisRunning = true;
    updateBusy();
    Q_EMIT started(path);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id = m_current, path, token = m_cancel] {
        w->analyze(id, path, token);
    });
    return m_current;
}

quint64 AnalysisController::openStored(const QString& path, const analysis::TrackAnalysis& stored) {
    m_cancel->cancel();
    m_cancel = std::make_shared<CancelToken>();
    m_current = m_nextId++;
    m_file = path;
    m_analysis.reset();
    m_audio.reset();
    m_explanations.clear();
    m_pendingExplanations.clear();
    // NOTE: the stored analysis carries its model's id; only when that model is the loaded one
    // can views and exports use its card (and may it be explained).
    m_analysisCard = (m_loadedCard && m_loadedCard->id == stored.modelId) ? m_loadedCard : SharedCard{};
    m_analysisRunning = true;
    updateBusy();
    Q_EMIT started(path);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id = m_current, path, stored, token = m_cancel] {
        w->restore(id, path, stored, token);
    });
    return m_current;
}

void AnalysisController::cancel() {
    m_cancel->cancel();
    m_cancel = std::make_shared<CancelToken>(); // later explanations of a finished analysis still run
    m_pendingExplanations.clear();
    updateBusy(); // a running analysis reports failed(cancelled) and stops being busy then
}

void AnalysisController::requestExplanation(size_t tag) {
    if (auto it = m_explanations.find(tag); it != m_explanations.end()) {
        Q_EMIT explanationReady(it->second);
        return;
    }
    // NOTE: only the model that produced the analysis can explain it.
    if (!m_analysis || !hasModel() || !m_analysisCard || m_analysisCard != m_loadedCard ||
        m_pendingExplanations.count(tag))
        return;
    m_pendingExplanations.insert(tag);
    updateBusy();
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id = m_current, tag, token = m_cancel] {
        w->explain(id, tag, token);
    });
}

void AnalysisController::requestPlaybackAudio(int sampleRate) {
    if (!m_audio) return;
    if (m_audio->sampleRate == sampleRate) {
        Q_EMIT playbackAudioReady(m_audio);
        return;
    }
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id = m_current, sampleRate] {
        w->preparePlayback(id, sampleRate);
    });
}

const analysis::TagExplanation* AnalysisController::explanation(size_t tag) const {
    auto it = m_explanations.find(tag);
    return it == m_explanations.end() ? nullptr : &it->second;
}

bool AnalysisController::isStale(quint64 id) {
    if (id == m_current) return false;
    ++m_staleDropped;
    return true;
}

void AnalysisController::updateBusy() {
    // NOTE: musical requests of an earlier track never answer; only the current track's count.
    const bool busy = m_analysisRunning || m_modelLoading || !m_pendingExplanations.empty() ||
                      (!m_pendingMusical.empty() && m_musicalRequest == m_current);
    if (busy == m_busy) return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void AnalysisController::handleModelLoaded(quint64 id, const QString& name, const QString& error) {
    if (id != m_modelRequest) return; // another model was chosen meanwhile
    m_modelLoading = false;
    updateBusy();
    if (!error.isEmpty()) {
        m_card.reset();
        m_requestedCard.reset();
        Q_EMIT modelFailed(error);
        return;
    }
    m_modelReady = true;
    m_loadedCard = m_requestedCard;
    Q_EMIT modelReady(name);
}

void AnalysisController::handleAnalysisStarted(quint64 id, const SharedCard& card) {
    if (isStale(id)) return;
    m_analysisCard = card;
}

void AnalysisController::handleProgress(quint64 id, double fraction, const QString& stage) {
    if (isStale(id)) return;
    Q_EMIT progressChanged(fraction, stage);
}

void AnalysisController::handleChunk(quint64 id, const analysis::ChunkPrediction& chunk) {
    if (isStale(id)) return;
    Q_EMIT chunkArrived(chunk);
}

void AnalysisController::handleAudio(quint64 id, const SharedAudio& audio) {
    if (isStale(id)) return;
    m_audio = audio;
    Q_EMIT audioReady(audio);
}

void AnalysisController::handleFinished(quint64 id, const analysis::TrackAnalysis& result) {
    if (isStale(id)) return;
    m_analysis = result;
    m_analysisRunning = false;
    updateBusy();
    Q_EMIT analysisReady(*m_analysis);
}

void AnalysisController::handleExplanation(quint64 id, const analysis::TagExplanation& explanation) {
    if (isStale(id)) return;
    m_pendingExplanations.erase(explanation.tag);
    m_explanations[explanation.tag] = explanation;
    updateBusy();
    Q_EMIT explanationReady(m_explanations[explanation.tag]);
}

void AnalysisController::handleExplanationFailed(quint64 id, quint64 tag, const QString& message, bool wasCancelled) {
    if (isStale(id)) return;
    m_pendingExplanations.erase(size_t(tag));
    updateBusy();
    if (!wasCancelled) Q_EMIT explanationFailed(tag, message);
}

void AnalysisController::handlePlaybackAudio(quint64 id, const SharedAudio& audio) {
    if (isStale(id)) return;
    Q_EMIT playbackAudioReady(audio);
}

void AnalysisController::handleFailed(quint64 id, const QString& message, bool wasCancelled) {
    if (isStale(id)) return;
    m_analysisRunning = false;
    updateBusy();
    if (wasCancelled) Q_EMIT cancelled();
    else Q_EMIT failed(message);
}

} // namespace tagscope::ui
