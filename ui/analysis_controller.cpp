// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/analysis_controller.h"

#include "ui/analysis_worker.h"

namespace tagscope::ui {

void ThreadStopper::operator()(QThread* thread) const {
    thread->quit();
    thread->wait();
    delete thread;
}

AnalysisController::AnalysisController(QObject* parent)
    : QObject(parent), m_thread(new QThread), m_cancel(std::make_shared<CancelToken>()) {
    registerMetaTypes();
    m_thread->setObjectName(QStringLiteral("tagscope-analysis"));
    m_worker = new AnalysisWorker;
    m_worker->moveToThread(m_thread.get());
    // NOTE: deleteLater on an object whose thread has stopped runs when the thread finishes,
    // so the model is destroyed on the thread that used it.
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &AnalysisWorker::modelLoaded, this, &AnalysisController::handleModelLoaded);
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
    m_cancel->cancel();
    m_thread.reset(); // quit + wait: a running analysis sees the cancel flag and returns
}

void AnalysisController::setModel(const io::ModelCard& card) {
    m_card = card;
    m_modelReady = false;
    m_modelRequest = m_nextId++;
    const quint64 id = m_modelRequest;
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id, card] { w->loadModel(id, card); });
}

void AnalysisController::clearModel() {
    m_card.reset();
    m_modelReady = false;
    m_modelRequest = m_nextId++;
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->unloadModel(); });
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
    setBusy(true);
    Q_EMIT started(path);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id = m_current, path, token = m_cancel] {
        w->analyze(id, path, token);
    });
    return m_current;
}

void AnalysisController::cancel() {
    m_cancel->cancel();
    m_cancel = std::make_shared<CancelToken>(); // later explanations of a finished analysis still run
    m_pendingExplanations.clear();
    if (m_analysis) setBusy(false); // a running analysis reports failed(cancelled) instead
}

void AnalysisController::requestExplanation(size_t tag) {
    if (auto it = m_explanations.find(tag); it != m_explanations.end()) {
        Q_EMIT explanationReady(it->second);
        return;
    }
    if (!m_analysis || !hasModel() || m_pendingExplanations.count(tag)) return;
    m_pendingExplanations.insert(tag);
    setBusy(true);
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

void AnalysisController::setBusy(bool busy) {
    if (busy == m_busy) return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void AnalysisController::handleModelLoaded(quint64 id, const QString& name, const QString& error) {
    if (id != m_modelRequest) return; // another model was chosen meanwhile
    if (!error.isEmpty()) {
        m_card.reset();
        Q_EMIT modelFailed(error);
        return;
    }
    m_modelReady = true;
    Q_EMIT modelReady(name);
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
    if (m_pendingExplanations.empty()) setBusy(false);
    Q_EMIT analysisReady(*m_analysis);
}

void AnalysisController::handleExplanation(quint64 id, const analysis::TagExplanation& explanation) {
    if (isStale(id)) return;
    m_pendingExplanations.erase(explanation.tag);
    m_explanations[explanation.tag] = explanation;
    if (m_pendingExplanations.empty()) setBusy(false);
    Q_EMIT explanationReady(m_explanations[explanation.tag]);
}

void AnalysisController::handleExplanationFailed(quint64 id, quint64 tag, const QString& message, bool wasCancelled) {
    if (isStale(id)) return;
    m_pendingExplanations.erase(size_t(tag));
    if (m_pendingExplanations.empty()) setBusy(false);
    if (!wasCancelled) Q_EMIT explanationFailed(tag, message);
}

void AnalysisController::handlePlaybackAudio(quint64 id, const SharedAudio& audio) {
    if (isStale(id)) return;
    Q_EMIT playbackAudioReady(audio);
}

void AnalysisController::handleFailed(quint64 id, const QString& message, bool wasCancelled) {
    if (isStale(id)) return;
    setBusy(false);
    if (wasCancelled) Q_EMIT cancelled();
    else Q_EMIT failed(message);
}

} // namespace tagscope::ui
