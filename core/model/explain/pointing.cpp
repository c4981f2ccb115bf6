// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/pointing.h"

#include <algorithm>

#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

/// Segment scores above their median (negative values then count as nothing).
std::vector<double> aboveMedian(std::vector<double> scores) {
    if (scores.empty()) return scores;
    auto sorted = scores;
    std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
    const double median = sorted[sorted.size() / 2];
    for (auto& s : scores) s -= median;
    return scores;
}

} // namespace

Result<PointingResult> runPointing(Analyzer& analyzer, const std::vector<audio::AudioBuffer>& passages,
                                   const std::vector<std::string>& names, const ExplainOptions& options,
                                   const CancelToken* cancel) {
    if (passages.size() < 2 || names.size() != passages.size())
        return fail(Error::Kind::InvalidInput, {}, "the pointing benchmark needs at least two named passages");
    const int rate = analyzer.tagger().card().sampleRate;
    audio::AudioBuffer track;
    track.sampleRate = rate;
    PointingResult out;
    std::vector<std::vector<float>> alone;
    for (size_t i = 0; i < passages.size(); ++i) {
        if (passages[i].sampleRate != rate || passages[i].samples.empty())
            return fail(Error::Kind::InvalidInput, names[i], "a passage must be non-empty audio at the model's rate");
        PointingPassage p;
        p.source = names[i];
        p.startSeconds = double(track.samples.size()) / rate;
        track.samples.insert(track.samples.end(), passages[i].samples.begin(), passages[i].samples.end());
        p.endSeconds = double(track.samples.size()) / rate;
        out.passages.push_back(p);
        auto a = analyzer.analyzeAudio(passages[i], {}, {}, cancel);
        if (!a) return fail(a.error());
        alone.push_back(a->trackScores);
    }
    auto whole = analyzer.analyzeAudio(track, {}, {}, cancel);
    if (!whole) return fail(whole.error());
    auto occlusion = analyzer.occlusion(*whole, track, options.segmentSeconds, {}, cancel);
    if (!occlusion) return fail(occlusion.error());
    ExplainOptions opt = options;
    opt.occlusionOfAllTags = &*occlusion;
    RandomCurveSet random; // one draw of random curves serves every passage's tag
    if (!opt.randomCurves) opt.randomCurves = &random;
    const size_t tags = alone.front().size();
    std::map<std::string, int> counts;
    for (size_t i = 0; i < out.passages.size(); ++i) {
        auto& p = out.passages[i];
        float best = -2.0f;
        for (size_t t = 0; t < tags; ++t) {
            float others = 0.0f;
            for (size_t k = 0; k < alone.size(); ++k)
                if (k != i) others = std::max(others, alone[k][t]);
            if (alone[i][t] - others > best) best = alone[i][t] - others, p.tag = t;
        }
        p.margin = best;
        p.tagName = whole->tagNames[p.tag];
        auto e = analyzer.explain(*whole, track, p.tag, opt, {}, cancel);
        if (!e) return fail(e.error());
        p.bestMethod = e->bestMethod;
        std::vector<std::pair<std::string, const analysis::TimeSeries*>> methods;
        for (const char* m : {"occlusion", "attribution", "contribution", "gradient"})
            if (const auto* s = e->series(m)) methods.emplace_back(m, s);
        if (whole->attention && !whole->attention->rollout.values.empty())
            methods.emplace_back("rollout", &whole->attention->rollout);
        for (const auto& [name, series] : methods) {
            const auto scores = aboveMedian(segmentScores(*series, whole->durationSeconds, options.segmentSeconds));
            p.share[name] = analysis::evidenceShareInside(scores, options.segmentSeconds, p.startSeconds, p.endSeconds);
            p.evidence[name] = scores;
            out.meanShare[name] += p.share[name];
            ++counts[name];
        }
        out.defaultShare += p.share.count(p.bestMethod) ? p.share[p.bestMethod] : 0.0;
    }
    for (auto& [name, share] : out.meanShare) share /= double(counts[name]);
    out.defaultShare /= double(out.passages.size());
    return out;
}

} // namespace tagscope::model
