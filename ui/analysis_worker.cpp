// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/analysis_worker.h"

#include <exception>
#include <new>

#include "core/dsp/mel_spectrogram.h"
#include "core/model/analyzer.h"
#include "core/model/tagger.h"

namespace tagscope::ui {

namespace {

QString toQString(const std::string& s) { return QString::fromStdString(s); }

/// Progress callback that emits the worker's progress signal at most ~20 times a second.
ProgressFn throttledProgress(AnalysisWorker* worker, quint64 requestId) {
    auto throttle = std::make_shared<ThrottledProgress>([worker, requestId](double f, std::string_view stage) {
        Q_EMIT worker->progress(requestId, f, QString::fromUtf8(stage.data(), qsizetype(stage.size())));
    });
    return [throttle](double f, std::string_view stage) { (*throttle)(f, stage); };
}

/// Call inside a catch (...) block: "internal error while <doing>: <reason>".
QString describeCurrentException(const QString& doing) {
    QString reason;
    try {
        throw;
    } catch (const std::bad_alloc&) {
        reason = QStringLiteral("out of memory");
    } catch (const std::exception& e) {
        reason = QString::fromUtf8(e.what());
    } catch (...) {
        reason = QStringLiteral("unknown exception");
    }
    return QStringLiteral("internal error while %1: %2").arg(doing, reason);
}

Result<std::shared_ptr<model::Tagger>> loadTagger(const cards::ModelCard& card, const CancelToken* cancel) {
    if (isCancelled(cancel)) return fail(Error::cancelled());
    auto tagger = model::Tagger::load(card);
    if (!tagger) return fail(tagger.error());
    return std::shared_ptr<model::Tagger>(std::move(*tagger));
}

} // namespace

AnalysisWorker::AnalysisWorker(ModelLoader loader, QObject* parent)
    : QObject(parent), m_loader(loader ? std::move(loader) : ModelLoader(loadTagger)) {}

AnalysisWorker::~AnalysisWorker() = default;

void AnalysisWorker::loadModel(quint64 requestId, const SharedCard& card, std::shared_ptr<CancelToken> cancel) {
    m_analyzer.reset();
    m_card.reset();
    m_analysis.reset(); // a new model must not explain what the old one computed
    const QString name = toQString(card->name.empty() ? card->id : card->name);
    try {
        auto tagger = m_loader(*card, cancel.get());
        if (tagger && isCancelled(cancel.get())) tagger = fail(Error::cancelled());
        if (!tagger) {
            Q_EMIT modelLoaded(requestId, name, toQString(tagger.error().message));
            return;
        }
        m_analyzer = std::make_unique<model::Analyzer>(std::move(*tagger));
        m_card = card;
        Q_EMIT modelLoaded(requestId, name, QString());
    } catch (...) {
        m_analyzer.reset();
        Q_EMIT modelLoaded(requestId, name, describeCurrentException(QStringLiteral("loading %1").arg(name)));
    }
}

void AnalysisWorker::unloadModel() {
    m_analyzer.reset();
    m_card.reset();
    m_analysis.reset();
}

Result<analysis::TrackAnalysis> AnalysisWorker::spectrogramOnly(const QString& path, const ProgressFn& progress,
                                                                const CancelToken* cancel) {
    const dsp::MelConfig config; // the upstream taggers' front end: 16 kHz, 96 mels
    audio::DecodeOptions options;
    options.targetSampleRate = config.sampleRate;
    options.quality = model::AnalysisOptions{}.resampleQuality;
    auto decoded = audio::decodeAudio(path.toStdString(), options, progress, cancel);
    if (!decoded) return fail(decoded.error());
    if (isCancelled(cancel)) return fail(Error::cancelled());
    auto buffer = std::make_shared<audio::AudioBuffer>(std::move(*decoded));
    analysis::TrackAnalysis result;
    result.file = path.toStdString();
    result.sampleRate = buffer->sampleRate;
    result.durationSeconds = buffer->durationSeconds();
    if (progress) progress(0.0, "mel");
    result.mel = dsp::MelSpectrogram(config).decibels(buffer->samples);
    result.melFrameSeconds = config.frameSeconds();
    if (progress) progress(1.0, "mel");
    m_audio = std::move(buffer);
    return result;
}

void AnalysisWorker::analyze(quint64 requestId, const QString& path, std::shared_ptr<CancelToken> cancel) {
    m_analysis.reset();
    m_audio.reset();
    try {
        runAnalysis(requestId, path, cancel.get());
    } catch (...) {
        m_analysis.reset();
        m_audio.reset();
        Q_EMIT failed(requestId, describeCurrentException(QStringLiteral("analysing %1").arg(path)), false);
    }
}

void AnalysisWorker::runAnalysis(quint64 requestId, const QString& path, const CancelToken* cancel) {
    const ProgressFn progressFn = throttledProgress(this, requestId);
    Result<analysis::TrackAnalysis> result;
    Q_EMIT analysisStarted(requestId, m_analyzer ? m_card : SharedCard());
    if (isCancelled(cancel)) {
        result = fail(Error::cancelled());
    } else if (!m_analyzer) {
        result = spectrogramOnly(path, progressFn, cancel);
    } else {
        auto decoded = std::make_shared<audio::AudioBuffer>();
        auto onChunk = [this, requestId](const analysis::ChunkPrediction& c) { Q_EMIT chunkReady(requestId, c); };
        result = m_analyzer->analyzeFile(path.toStdString(), {}, progressFn, cancel, onChunk, decoded.get());
        if (result) m_audio = std::move(decoded);
    }
    if (!result) {
        Q_EMIT failed(requestId, toQString(result.error().message), result.error().kind == Error::Kind::Cancelled);
        return;
    }
    m_analysis = *result;
    m_analysisRequest = requestId;
    Q_EMIT audioReady(requestId, m_audio);
    Q_EMIT finished(requestId, *result);
}

void AnalysisWorker::restore(quint64 requestId, const QString& path, const analysis::TrackAnalysis& stored,
                             std::shared_ptr<CancelToken> cancel) {
    m_analysis.reset();
    m_audio.reset();
    auto spectrogram = isCancelled(cancel.get()) ? Result<analysis::TrackAnalysis>(fail(Error::cancelled()))
                                                 : spectrogramOnly(path, throttledProgress(this, requestId), cancel.get());
    if (!spectrogram) {
        Q_EMIT failed(requestId, toQString(spectrogram.error().message), spectrogram.error().kind == Error::Kind::Cancelled);
        return;
    }
    analysis::TrackAnalysis result = stored;
    result.file = spectrogram->file;
    result.mel = std::move(spectrogram->mel);
    result.melFrameSeconds = spectrogram->melFrameSeconds;
    if (result.durationSeconds <= 0.0) result.durationSeconds = spectrogram->durationSeconds;
    m_analysis = result;
    m_analysisRequest = requestId;
    Q_EMIT audioReady(requestId, m_audio);
    Q_EMIT finished(requestId, result);
}

void AnalysisWorker::explain(quint64 requestId, size_t tag, std::shared_ptr<CancelToken> cancel) {
    if (isCancelled(cancel.get())) return; // the analysis it belonged to was superseded
    if (!m_analyzer || !m_analysis || !m_audio || requestId != m_analysisRequest) {
        Q_EMIT explanationFailed(requestId, tag,
                                 QStringLiteral("No finished analysis to explain (load a model and a track first)."),
                                 false);
        return;
    }
    if (m_analysis->modelId != m_analyzer->tagger().card().id) {
        // NOTE: an analysis restored from the catalog may come from another model than the loaded one.
        Q_EMIT explanationFailed(requestId, tag,
                                 QStringLiteral("This analysis was made by the model \"%1\"; choose that model to explain it.")
                                     .arg(toQString(m_analysis->modelId)),
                                 false);
        return;
    }
    try {
        // NOTE: what the user sees first comes first: occlusion of every tag (once per analysis)
        // and this tag's other methods; the faithfulness curves (20 random orderings, the slow
        // part) follow in a second delivery of the same explanation.
        model::ExplainOptions options;
        if (!m_occlusion || m_occlusionRequest != requestId) {
            auto occlusion = m_analyzer->occlusion(*m_analysis, *m_audio, options.segmentSeconds,
                                                   throttledProgress(this, requestId), cancel.get());
            if (!occlusion) {
                Q_EMIT explanationFailed(requestId, tag, toQString(occlusion.error().message),
                                         occlusion.error().kind == Error::Kind::Cancelled);
                return;
            }
            m_occlusion = std::move(*occlusion);
            m_occlusionRequest = requestId;
        }
        options.occlusionOfAllTags = &*m_occlusion;
        options.faithfulness = false;
        auto explanation = m_analyzer->explain(*m_analysis, *m_audio, tag, options, throttledProgress(this, requestId),
                                               cancel.get());
        if (!explanation) {
            Q_EMIT explanationFailed(requestId, tag, toQString(explanation.error().message),
                                     explanation.error().kind == Error::Kind::Cancelled);
            return;
        }
        Q_EMIT explanationReady(requestId, *explanation);
        options.faithfulness = true;
        if (isCancelled(cancel.get())) return;
        if (auto ok = m_analyzer->addFaithfulness(*m_analysis, *m_audio, *explanation, options,
                                                  throttledProgress(this, requestId), cancel.get());
            ok) {
            Q_EMIT explanationReady(requestId, *explanation);
        } else if (ok.error().kind != Error::Kind::Cancelled) {
            Q_EMIT explanationFailed(requestId, tag, toQString(ok.error().message), false);
        }
    } catch (...) {
        Q_EMIT explanationFailed(requestId, tag, describeCurrentException(QStringLiteral("explaining a tag")), false);
    }
}

void AnalysisWorker::preparePlayback(quint64 requestId, int sampleRate) {
    if (!m_audio || requestId != m_analysisRequest) return;
    if (m_audio->sampleRate == sampleRate) {
        Q_EMIT playbackAudioReady(requestId, m_audio);
        return;
    }
    try {
        auto resampled = audio::resample(m_audio->samples, m_audio->sampleRate, sampleRate);
        if (!resampled) {
            Q_EMIT playbackAudioReady(requestId, nullptr); // playback reports that audio is unavailable
            return;
        }
        auto buffer = std::make_shared<audio::AudioBuffer>();
        buffer->sampleRate = sampleRate;
        buffer->samples = std::move(*resampled);
        Q_EMIT playbackAudioReady(requestId, buffer);
    } catch (...) {
        Q_EMIT playbackAudioReady(requestId, nullptr);
    }
}

} // namespace tagscope::ui
