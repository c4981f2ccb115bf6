// SPDX-License-Identifier: GPL-3.0-or-later
// The object that owns the model and runs analyses on its own thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QObject>
#include <QString>

#include "core/analysis/track_analysis.h"
#include "core/audio/audio_decoder.h"
#include "core/common/progress.h"
#include "core/cards/model_card.h"
#include "ui/meta_types.h"
#include "ui/musical_meta_types.h"

namespace tagscope::model {
class Analyzer;
class Tagger;
struct RandomCurveSet;
}

namespace tagscope::ui {

/// The card of a loaded model, shared by the worker, the controller and every result it produced.
using SharedCard = std::shared_ptr<const cards::ModelCard>;

/// Loads the model of a card (worker thread); may return early with Error::cancelled() once
/// `cancel` is set. The default loads with model::Tagger::load; tests inject their own.
using ModelLoader =
    std::function<Result<std::shared_ptr<model::Tagger>>(const cards::ModelCard& card, const CancelToken* cancel)>;

/// Lives on the worker thread (moved there by AnalysisController). Every public function is
/// called on that thread through QMetaObject::invokeMethod; results leave through queued
/// signals carrying the request id they answer. Never touches widgets. Nothing thrown inside a
/// request escapes it: an exception becomes the request's failure signal.
class AnalysisWorker : public QObject {
    Q_OBJECT
public:
    /// `loader` empty = model::Tagger::load.
    explicit AnalysisWorker(ModelLoader loader = {}, QObject* parent = nullptr);
    ~AnalysisWorker() override;

    /// Loads the model of `card` (worker thread). Emits modelLoaded (error empty on success). The
    /// previous model and the analysis it produced are dropped first, so nothing mixes the two.
    void loadModel(quint64 requestId, const SharedCard& card, std::shared_ptr<CancelToken> cancel);
    /// Drops the model: later analyses only decode and compute the spectrogram (worker thread).
    void unloadModel();
    /// Decodes and analyses `path` (worker thread). Without a model, the result only holds the
    /// dB mel spectrogram. Emits analysisStarted, progress, chunkReady, audioReady, then
    /// finished or failed.
    void analyze(quint64 requestId, const QString& path, std::shared_ptr<CancelToken> cancel);
    /// Shows a stored analysis (from the catalog) without running the model: decodes `path` for
    /// the spectrogram and playback, then emits audioReady and finished with `stored` plus the
    /// mel spectrogram (worker thread).
    void restore(quint64 requestId, const QString& path, const analysis::TrackAnalysis& stored,
                 std::shared_ptr<CancelToken> cancel);
    /// Explains one tag of the last finished analysis `requestId` (worker thread).
    void explain(quint64 requestId, size_t tag, std::shared_ptr<CancelToken> cancel);
    /// Resamples the last decoded audio to `sampleRate` for playback (worker thread).
    void preparePlayback(quint64 requestId, int sampleRate);
    /// Explains `tag` of the last finished analysis in musical terms with the model's surrogate
    /// (the track's features are computed once, then cached). Emits musicalExplanationReady or
    /// musicalExplanationFailed (worker thread; analysis_worker_musical.cpp).
    void explainMusically(quint64 requestId, size_t tag, std::shared_ptr<CancelToken> cancel);

Q_SIGNALS:
    /// The model of request `requestId` is ready (empty error) or could not be loaded.
    void modelLoaded(quint64 requestId, const QString& modelName, const QString& error);
    /// Analysis `requestId` runs with the model of `card` (null: no model, spectrogram only);
    /// every chunk and the result of this request come from that model.
    void analysisStarted(quint64 requestId, const tagscope::ui::SharedCard& card);
    /// Throttled (~20 Hz) progress of the running request: fraction of `stage` in [0, 1].
    void progress(quint64 requestId, double fraction, const QString& stage);
    /// One chunk's tag probabilities, as soon as its batch is done.
    void chunkReady(quint64 requestId, const tagscope::analysis::ChunkPrediction& chunk);
    /// The decoded audio (at the analysis rate) of the request.
    void audioReady(quint64 requestId, const tagscope::ui::SharedAudio& audio);
    /// The analysis is complete.
    void finished(quint64 requestId, const tagscope::analysis::TrackAnalysis& result);
    /// Explanations of one tag are complete.
    void explanationReady(quint64 requestId, const tagscope::analysis::TagExplanation& explanation);
    /// Audio resampled for the playback device.
    void playbackAudioReady(quint64 requestId, const tagscope::ui::SharedAudio& audio);
    /// Explaining `tag` failed or was cancelled; `message` says why.
    void explanationFailed(quint64 requestId, quint64 tag, const QString& message, bool cancelled);
    /// The request failed or was cancelled (`cancelled` true); `message` names the file and reason.
    void failed(quint64 requestId, const QString& message, bool cancelled);
    /// One tag explained in musical terms.
    void musicalExplanationReady(quint64 requestId, const tagscope::surrogate::MusicalTagExplanation& explanation);
    /// No musical explanation of `tag` (no surrogate for the model, features failed, cancelled).
    void musicalExplanationFailed(quint64 requestId, quint64 tag, const QString& message, bool cancelled);

private:
    void runAnalysis(quint64 requestId, const QString& path, const CancelToken* cancel);
    Result<analysis::TrackAnalysis> spectrogramOnly(const QString& path, const ProgressFn& progress,
                                                    const CancelToken* cancel);

    // Worker thread only.
    ModelLoader m_loader;
    std::unique_ptr<model::Analyzer> m_analyzer;
    SharedCard m_card; ///< card of m_analyzer's model
    SharedAudio m_audio;
    std::optional<analysis::TrackAnalysis> m_analysis;
    quint64 m_analysisRequest = 0;
    /// Occlusion of every tag of m_analysis (computed by the first explanation, reused by the rest).
    std::optional<analysis::OcclusionRelevance> m_occlusion;
    quint64 m_occlusionRequest = 0;
    /// Random orderings' curves of m_analysis (every tag), drawn at its first faithfulness test.
    std::shared_ptr<model::RandomCurveSet> m_randomCurves;
    std::shared_ptr<struct MusicalState> m_musical;  ///< surrogate + features cache (worker thread)
};

} // namespace tagscope::ui

Q_DECLARE_METATYPE(tagscope::ui::SharedCard)
