// SPDX-License-Identifier: GPL-3.0-or-later
// AnalysisController's musical explanations (surrogate + features), kept apart from the
// neural explanations so both grow independently.
#include "ui/analysis_controller.h"
#include "ui/analysis_worker.h"

namespace tagscope::ui {

void registerMusicalMetaTypes() {
    qRegisterMetaType<surrogate::MusicalTagExplanation>("tagscope::surrogate::MusicalTagExplanation");
}

void AnalysisController::connectMusicalWorker() {
    registerMusicalMetaTypes();
    connect(m_worker, &AnalysisWorker::musicalExplanationReady, this, &AnalysisController::handleMusicalExplanation);
    connect(m_worker, &AnalysisWorker::musicalExplanationFailed, this,
            &AnalysisController::handleMusicalExplanationFailed);
}

void AnalysisController::requestMusicalExplanation(size_t tag) {
    if (m_musicalRequest != m_current) {
        m_musical.clear();
        m_pendingMusical.clear();
        m_musicalRequest = m_current;
    }
    if (auto it = m_musical.find(tag); it != m_musical.end()) {
        Q_EMIT musicalExplanationReady(it->second);
        return;
    }
    if (!m_analysis || !hasModel() || m_pendingMusical.count(tag)) return;
    m_pendingMusical.insert(tag);
    updateBusy();
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id = m_current, tag, token = m_cancel] {
        w->explainMusically(id, tag, token);
    });
}

const surrogate::MusicalTagExplanation* AnalysisController::musicalExplanation(size_t tag) const {
    if (m_musicalRequest != m_current) return nullptr;
    auto it = m_musical.find(tag);
    return it == m_musical.end() ? nullptr : &it->second;
}

void AnalysisController::handleMusicalExplanation(quint64 id, const surrogate::MusicalTagExplanation& explanation) {
    if (isStale(id) || id != m_musicalRequest) return;
    m_pendingMusical.erase(explanation.tag);
    m_musical[explanation.tag] = explanation;
    updateBusy();
    Q_EMIT musicalExplanationReady(m_musical[explanation.tag]);
}

void AnalysisController::handleMusicalExplanationFailed(quint64 id, quint64 tag, const QString& message,
                                                        bool wasCancelled) {
    if (isStale(id) || id != m_musicalRequest) return;
    m_pendingMusical.erase(size_t(tag));
    updateBusy();
    if (!wasCancelled) Q_EMIT musicalExplanationFailed(tag, message);
}

} // namespace tagscope::ui
