// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <numeric>
#include <random>

#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

std::vector<Interval> intervalsOf(const std::vector<size_t>& segments, double duration, double segmentSeconds) {
    std::vector<Interval> out;
    for (auto j : segments) out.push_back(segmentInterval(j, duration, segmentSeconds));
    return out;
}

} // namespace

Result<analysis::Faithfulness> deletionTest(Tagger::Impl& impl, const ChunkedTrack& track, const std::string& method,
                                            const std::vector<double>& scores, double durationSeconds,
                                            double segmentSeconds, int k, int randomDraws, unsigned seed,
                                            const CancelToken* cancel) {
    analysis::Faithfulness f;
    f.tag = track.tag();
    f.tagName = impl.card.tagName(track.tag());
    f.method = method;
    f.segmentSeconds = segmentSeconds;
    f.k = int(std::min(scores.size(), size_t(std::max(0, k))));
    f.baseline = track.baseline();
    auto top = rankSegments(scores);
    top.resize(size_t(f.k));
    auto afterTop = track.maskedProbability(impl, intervalsOf(top, durationSeconds, segmentSeconds), cancel);
    if (!afterTop) return fail(afterTop.error());
    f.afterTopK = *afterTop;

    std::mt19937 rng(seed);
    std::vector<size_t> all(scores.size());
    std::iota(all.begin(), all.end(), size_t{0});
    const int draws = std::max(1, randomDraws);
    double sum = 0.0;
    for (int d = 0; d < draws; ++d) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        // NOTE: a partial Fisher-Yates shuffle with our own engine draws the same segments on
        // every platform (std::shuffle's use of the engine is implementation-defined).
        for (size_t i = 0; i < size_t(f.k); ++i) {
            const size_t j = i + size_t(rng() % uint32_t(all.size() - i));
            std::swap(all[i], all[j]);
        }
        const std::vector<size_t> pick(all.begin(), all.begin() + f.k);
        auto p = track.maskedProbability(impl, intervalsOf(pick, durationSeconds, segmentSeconds), cancel);
        if (!p) return fail(p.error());
        sum += *p;
    }
    f.afterRandom = float(sum / draws);
    return f;
}

} // namespace tagscope::model
