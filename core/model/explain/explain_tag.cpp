// SPDX-License-Identifier: GPL-3.0-or-later
// Analyzer's explanation entry points: occlusion of every tag, the explanations of one tag, their
// faithfulness curves, and time x frequency occlusion of a region.
#include <cmath>

#include "core/model/analyzer.h"
#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

/// One explanation as a time series, for ranking segments.
struct Method {
    std::string name;
    const analysis::TimeSeries* series = nullptr;
};

Result<void> checkRequest(const Tagger& tagger, const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                          std::optional<size_t> tag, double segmentSeconds) {
    const auto& card = tagger.card();
    if (tag && *tag >= card.tagCount())
        return fail(Error::Kind::InvalidInput, {}, "tag index " + std::to_string(*tag) + " is out of range (the model has " +
                    std::to_string(card.tagCount()) + " tags)");
    if (result.modelId != card.id)
        return fail(Error::Kind::Mismatch, result.file, "the analysis was made with model '" + result.modelId +
                    "', not with '" + card.id + "'");
    if (audio.sampleRate != card.sampleRate)
        return fail(Error::Kind::InvalidInput, result.file, "audio at " + std::to_string(audio.sampleRate) +
                    " Hz given to a model that needs " + std::to_string(card.sampleRate) + " Hz");
    if (result.taggram.chunkCount() == 0 || audio.samples.empty())
        return fail(Error::Kind::InvalidInput, result.file, "the analysis holds no chunks to explain");
    if (!(segmentSeconds > 0.0) || !std::isfinite(segmentSeconds))
        return fail(Error::Kind::InvalidInput, {}, "the segment length must be a positive number of seconds");
    return {};
}

/// Maps [0, 1] of one step onto [from, to] of `stage`.
StepProgress step(ThrottledProgress& progress, double from, double to, const char* stage = "explain") {
    return [&progress, from, to, stage](double f) { progress(from + (to - from) * f, stage); };
}

bool sameGrid(const analysis::OcclusionRelevance& o, const ChunkedTrack& track) {
    return o.segmentCount() == track.segmentCount() && o.tagCount == track.tagCount() &&
           std::abs(o.segmentSeconds - track.segmentSeconds()) < 1e-9;
}

/// The methods of `e` (and the analysis' rollout), in the order a user is shown them by default.
std::vector<Method> methodsOf(const analysis::TagExplanation& e, const analysis::TrackAnalysis& result) {
    std::vector<Method> methods;
    for (const char* name : {"occlusion", "attribution", "contribution", "gradient"})
        if (const auto* s = e.series(name)) methods.push_back({name, s});
    if (result.attention && !result.attention->rollout.values.empty())
        methods.push_back({"rollout", &result.attention->rollout});
    return methods;
}

/// Sets bestMethod (the most faithful curve, else the first method) and its evidence segments.
void chooseBest(analysis::TagExplanation& e, const analysis::TrackAnalysis& result, const ChunkedTrack& track,
                int evidenceCount) {
    const auto methods = methodsOf(e, result);
    if (methods.empty()) return;
    const size_t best = analysis::mostFaithful(e.curves);
    e.bestMethod = best < e.curves.size() ? e.curves[best].method : methods.front().name;
    for (const auto& m : methods)
        if (m.name == e.bestMethod)
            e.evidenceSegments = evidenceSegments(segmentScores(*m.series, track.durationSeconds(), track.segmentSeconds()),
                                                  track.durationSeconds(), track.segmentSeconds(), evidenceCount);
}

Result<void> addCurves(Tagger::Impl& impl, ChunkedTrack& track, const analysis::TrackAnalysis& result,
                       analysis::TagExplanation& e, const ExplainOptions& options, ThrottledProgress& progress,
                       double from, const CancelToken* cancel) {
    const auto methods = methodsOf(e, result);
    const int orderings = std::max(1, options.randomOrderings);
    const auto fits = [&](const RandomCurveSet& s) {
        return s.modelId == result.modelId && s.fractions == analysis::defaultFractions() &&
               s.orderings() == orderings && s.seed == options.seed && s.segmentCount == track.segmentCount() &&
               std::abs(s.segmentSeconds - track.segmentSeconds()) < 1e-9 &&
               std::abs(s.durationSeconds - track.durationSeconds()) < 1e-6;
    };
    Result<RandomCurveSet> random = RandomCurveSet{};
    if (options.randomCurves && fits(*options.randomCurves)) {
        random = *options.randomCurves;
    } else {
        random = randomCurves(impl, track, analysis::defaultFractions(), orderings, options.seed,
                              step(progress, from, from + 0.8 * (1.0 - from)), cancel);
        if (!random) return fail(random.error());
        random->modelId = result.modelId;
        random->durationSeconds = track.durationSeconds();
        random->segmentSeconds = track.segmentSeconds();
        random->segmentCount = track.segmentCount();
        random->seed = options.seed;
        if (options.randomCurves) *options.randomCurves = *random;
    }
    e.curves.clear();
    for (size_t i = 0; i < methods.size(); ++i) {
        const auto scores = segmentScores(*methods[i].series, track.durationSeconds(), track.segmentSeconds());
        auto curve = faithfulnessCurve(impl, track, e.tag, methods[i].name, scores, *random, cancel);
        if (!curve) return fail(curve.error());
        e.curves.push_back(std::move(*curve));
        progress(from + (1.0 - from) * (0.8 + 0.2 * double(i + 1) / double(methods.size())), "explain");
    }
    chooseBest(e, result, track, options.evidenceSegments);
    return {};
}

} // namespace

Result<analysis::OcclusionRelevance> Analyzer::occlusion(const analysis::TrackAnalysis& result,
                                                         const audio::AudioBuffer& audio, double segmentSeconds,
                                                         const ProgressFn& progressFn, const CancelToken* cancel) {
    if (auto ok = checkRequest(*m_tagger, result, audio, std::nullopt, segmentSeconds); !ok) return fail(ok.error());
    auto& impl = m_tagger->impl();
    ThrottledProgress progress(progressFn);
    try {
        impl.applyThreads();
        auto track = ChunkedTrack::build(impl, result, audio, segmentSeconds, cancel);
        if (!track) return fail(track.error());
        auto out = occlusionRelevance(impl, *track, step(progress, 0.0, 1.0, "occlusion"), cancel);
        if (out) progress(1.0, "occlusion");
        return out;
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, result.file, std::string("occlusion of the track failed: ") + e.what());
    }
}

Result<analysis::TagExplanation> Analyzer::explain(const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                                                   size_t tag, const ExplainOptions& options,
                                                   const ProgressFn& progressFn, const CancelToken* cancel) {
    if (auto ok = checkRequest(*m_tagger, result, audio, tag, options.segmentSeconds); !ok) return fail(ok.error());
    auto& impl = m_tagger->impl();
    ThrottledProgress progress(progressFn);
    try {
        impl.applyThreads();
        analysis::TagExplanation out;
        out.tag = tag;
        out.tagName = impl.card.tagName(tag);
        out.trackScore = tag < result.trackScores.size() ? result.trackScores[tag] : 0.0f;
        progress(0.0, "explain");
        auto track = ChunkedTrack::build(impl, result, audio, options.segmentSeconds, cancel);
        if (!track) return fail(track.error());
        const double end = options.faithfulness ? 0.3 : 1.0;
        if (options.occlusion) {
            if (options.occlusionOfAllTags && sameGrid(*options.occlusionOfAllTags, *track)) {
                out.occlusion = options.occlusionOfAllTags->curve(tag);
            } else {
                auto occ = occlusionRelevance(impl, *track, step(progress, 0.0, 0.4 * end), cancel);
                if (!occ) return fail(occ.error());
                out.occlusion = occ->curve(tag);
            }
        }
        const bool attention = impl.net->hasAttention();
        if (options.contribution && attention) {
            auto curve = contributionCurve(impl, *track, tag, options.contributionLayer, step(progress, 0.4 * end, 0.6 * end), cancel);
            if (!curve) return fail(curve.error());
            out.contribution = std::move(*curve);
        }
        if (options.attribution && attention) {
            auto curve = transformerAttribution(impl, *track, tag, step(progress, 0.6 * end, 0.7 * end), cancel);
            if (!curve) return fail(curve.error());
            out.attribution = std::move(*curve);
        }
        if (options.gradient) {
            const int frames = result.mel.nFrames > 0 ? result.mel.nFrames : impl.card.mel.frameCount(audio.samples.size());
            auto rel = gradientRelevance(impl, *track, tag, frames, options.smooth, options.seed,
                                         step(progress, 0.7 * end, end), cancel);
            if (!rel) return fail(rel.error());
            out.relevance = std::move(*rel);
        }
        chooseBest(out, result, *track, options.evidenceSegments);
        if (options.faithfulness)
            if (auto ok = addCurves(impl, *track, result, out, options, progress, end, cancel); !ok) return fail(ok.error());
        progress(1.0, "explain");
        return out;
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, result.file, "explaining tag '" + impl.card.tagName(tag) + "' failed: " + e.what());
    }
}

Result<void> Analyzer::addFaithfulness(const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                                       analysis::TagExplanation& explanation, const ExplainOptions& options,
                                       const ProgressFn& progressFn, const CancelToken* cancel) {
    if (auto ok = checkRequest(*m_tagger, result, audio, explanation.tag, options.segmentSeconds); !ok) return fail(ok.error());
    auto& impl = m_tagger->impl();
    ThrottledProgress progress(progressFn);
    try {
        impl.applyThreads();
        auto track = ChunkedTrack::build(impl, result, audio, options.segmentSeconds, cancel);
        if (!track) return fail(track.error());
        analysis::TagExplanation updated = explanation;
        if (auto ok = addCurves(impl, *track, result, updated, options, progress, 0.0, cancel); !ok) return fail(ok.error());
        explanation = std::move(updated);
        progress(1.0, "explain");
        return {};
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, result.file, "testing the explanations of '" + impl.card.tagName(explanation.tag) +
                    "' failed: " + e.what());
    }
}

Result<analysis::TimeFrequencyOcclusion> Analyzer::explainRegion(const analysis::TrackAnalysis& result,
                                                                 const audio::AudioBuffer& audio, size_t tag,
                                                                 double start, double end, const RegionOptions& options,
                                                                 const ProgressFn& progressFn, const CancelToken* cancel) {
    if (auto ok = checkRequest(*m_tagger, result, audio, tag, options.segmentSeconds); !ok) return fail(ok.error());
    auto& impl = m_tagger->impl();
    ThrottledProgress progress(progressFn);
    try {
        impl.applyThreads();
        auto track = ChunkedTrack::build(impl, result, audio, options.segmentSeconds, cancel);
        if (!track) return fail(track.error());
        auto out = timeFrequencyOcclusion(impl, *track, tag, start, end, options.bandGroups, step(progress, 0.0, 1.0), cancel);
        if (out) progress(1.0, "explain");
        return out;
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, result.file, "time-frequency occlusion of '" + impl.card.tagName(tag) +
                    "' failed: " + e.what());
    }
}

} // namespace tagscope::model
