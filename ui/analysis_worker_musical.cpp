// SPDX-License-Identifier: GPL-3.0-or-later
// AnalysisWorker's musical explanations: the model's surrogate file (beside its card) and the
// current track's perceptual features, both cached on the worker thread.
#include "ui/analysis_worker.h"

#include "core/analysis/audio_analyzer.h"
#include "core/features/feature_analyzer.h"
#include "core/model/analyzer.h"
#include "core/model/tagger.h"
#include "core/surrogate/feature_rows.h"

namespace tagscope::ui {

/// Worker-thread cache of the musical explanations.
struct MusicalState {
    std::filesystem::path cardPath;                  ///< card the surrogate below belongs to
    std::optional<surrogate::SurrogateModel> model;
    QString modelError;                              ///< why there is no surrogate
    quint64 featuresRequest = 0;                     ///< analysis the rows below belong to
    std::optional<surrogate::FeatureRows> rows;
};

namespace {

Result<surrogate::SurrogateModel> loadSurrogate(const cards::ModelCard& card) {
    return surrogate::SurrogateModel::loadForCard(card.cardPath, card.id, card.tagNames());
}

} // namespace

void AnalysisWorker::explainMusically(quint64 requestId, size_t tag, std::shared_ptr<CancelToken> cancel) {
    auto failWith = [&](const QString& message, bool cancelled = false) {
        Q_EMIT musicalExplanationFailed(requestId, tag, message, cancelled);
    };
    if (isCancelled(cancel.get())) return failWith(QStringLiteral("cancelled"), true);
    if (!m_analyzer || !m_analysis || requestId != m_analysisRequest)
        return failWith(QStringLiteral("No finished analysis to explain."));
    if (!m_musical) m_musical = std::make_shared<MusicalState>();
    MusicalState& state = *m_musical;
    const cards::ModelCard& card = m_analyzer->tagger().card();
    if (state.cardPath != card.cardPath) {
        state = MusicalState{};
        state.cardPath = card.cardPath;
        auto model = loadSurrogate(card);
        if (model) state.model = std::move(*model);
        else state.modelError = QString::fromStdString(model.error().message);
    }
    if (!state.model) return failWith(state.modelError);
    if (state.featuresRequest != requestId || !state.rows) {
        state.rows.reset();
        features::FeatureAnalyzer featureAnalyzer;
        analysis::AudioAnalyzer* analyzers[] = {&featureAnalyzer};
        auto ok = analysis::runAnalyzers(m_analysis->file, analyzers, {}, {}, cancel.get());
        if (!ok) return failWith(QString::fromStdString(ok.error().message), ok.error().kind == Error::Kind::Cancelled);
        if (!featureAnalyzer.result()) return failWith(QStringLiteral("The features analysis gave no result."));
        auto trackFeatures = *featureAnalyzer.result();
        surrogate::fillModelFeatures(trackFeatures, *m_analysis);
        state.rows = surrogate::featureRows(trackFeatures);
        state.featuresRequest = requestId;
    }
    auto explanation = surrogate::explainInMusicalTerms(*state.model, tag, state.rows->track, state.rows->segments,
                                                        state.rows->spans);
    if (!explanation) return failWith(QString::fromStdString(explanation.error().message));
    Q_EMIT musicalExplanationReady(requestId, *explanation);
}

} // namespace tagscope::ui
