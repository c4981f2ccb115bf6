// SPDX-License-Identifier: GPL-3.0-or-later
// Analyzer::explain: the on-demand explanations of one tag of a finished analysis.
#include "core/model/analyzer.h"
#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

/// One explanation as a time series, for ranking segments.
struct Method {
    std::string name;
    analysis::TimeSeries series;
};

Result<void> checkRequest(const Tagger& tagger, const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                          size_t tag, const ExplainOptions& options) {
    const auto& card = tagger.card();
    if (tag >= card.tagCount())
        return fail(Error::Kind::InvalidInput, {}, "tag index " + std::to_string(tag) + " is out of range (the model has " +
                    std::to_string(card.tagCount()) + " tags)");
    if (result.modelId != card.id)
        return fail(Error::Kind::Mismatch, result.file, "the analysis was made with model '" + result.modelId +
                    "', not with '" + card.id + "'");
    if (audio.sampleRate != card.sampleRate)
        return fail(Error::Kind::InvalidInput, result.file, "audio at " + std::to_string(audio.sampleRate) +
                    " Hz given to a model that needs " + std::to_string(card.sampleRate) + " Hz");
    if (result.taggram.chunkCount() == 0 || audio.samples.empty())
        return fail(Error::Kind::InvalidInput, result.file, "the analysis holds no chunks to explain");
    if (!(options.segmentSeconds > 0.0))
        return fail(Error::Kind::InvalidInput, {}, "the segment length must be a positive number of seconds");
    return {};
}

/// Maps [0, 1] of one step onto [from, to] of the "explain" stage.
StepProgress step(ThrottledProgress& progress, double from, double to) {
    return [&progress, from, to](double f) { progress(from + (to - from) * f, "explain"); };
}

} // namespace

Result<analysis::TagExplanation> Analyzer::explain(const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                                                   size_t tag, const ExplainOptions& options,
                                                   const ProgressFn& progressFn, const CancelToken* cancel) {
    if (auto ok = checkRequest(*m_tagger, result, audio, tag, options); !ok) return fail(ok.error());
    auto& impl = m_tagger->impl();
    ThrottledProgress progress(progressFn);
    try {
        impl.applyThreads();
        analysis::TagExplanation out;
        out.tag = tag;
        out.tagName = impl.card.tagName(tag);
        out.trackScore = tag < result.trackScores.size() ? result.trackScores[tag] : 0.0f;
        progress(0.0, "explain");
        auto track = ChunkedTrack::build(impl, result, audio, tag, cancel);
        if (!track) return fail(track.error());
        progress(0.1, "explain");

        std::vector<Method> methods;
        if (options.contribution && impl.net->hasAttention()) {
            auto curve = contributionCurve(impl, *track, options.contributionLayer, step(progress, 0.1, 0.4), cancel);
            if (!curve) return fail(curve.error());
            out.contribution = *curve;
            methods.push_back({"contribution", std::move(*curve)});
        }
        if (options.gradient) {
            const int frames = result.mel.nFrames > 0 ? result.mel.nFrames : impl.card.mel.frameCount(audio.samples.size());
            auto rel = gradientRelevance(impl, *track, frames, options.smooth, options.seed, step(progress, 0.4, 0.7), cancel);
            if (!rel) return fail(rel.error());
            methods.push_back({"gradient", rel->perFrame});
            out.relevance = std::move(*rel);
        }
        if (result.attention && !result.attention->rollout.values.empty())
            methods.push_back({"rollout", result.attention->rollout});

        const double duration = audio.durationSeconds();
        std::vector<std::vector<double>> scores;
        for (const auto& m : methods) scores.push_back(segmentScores(m.series, duration, options.segmentSeconds));
        size_t best = 0;
        if (options.faithfulness) {
            for (size_t i = 0; i < methods.size(); ++i) {
                auto f = deletionTest(impl, *track, methods[i].name, scores[i], duration, options.segmentSeconds,
                                      options.deletionK, options.randomDraws, options.seed, cancel);
                if (!f) return fail(f.error());
                out.faithfulness.push_back(*f);
                if (f->advantage() > out.faithfulness[best].advantage()) best = i;
                progress(0.7 + 0.3 * double(i + 1) / double(methods.size()), "explain");
            }
        }
        // NOTE: evidence follows the method that passed the deletion test best; without a test,
        // the first available of contribution, gradient, rollout.
        if (!methods.empty())
            out.evidenceSegments = evidenceSegments(scores[best], duration, options.segmentSeconds, options.deletionK);
        progress(1.0, "explain");
        return out;
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, result.file, "explaining tag '" + impl.card.tagName(tag) + "' failed: " + e.what());
    }
}

} // namespace tagscope::model
