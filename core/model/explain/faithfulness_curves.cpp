// SPDX-License-Identifier: GPL-3.0-or-later
// Deletion and insertion curves of a segment ranking, against random orderings.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

/// The 2 * (fractions - 1) masks of one ordering: deletion masks the first k, insertion masks
/// all but the first k, for each fraction > 0 (fraction 0 needs no model run).
std::vector<std::vector<uint8_t>> masksOf(const std::vector<size_t>& order, const std::vector<double>& fractions) {
    std::vector<std::vector<uint8_t>> masks;
    for (size_t i = 1; i < fractions.size(); ++i) {
        const size_t k = segmentsOfFraction(fractions[i], order.size());
        std::vector<uint8_t> del(order.size(), 0), ins(order.size(), 1);
        for (size_t r = 0; r < k; ++r) {
            del[order[r]] = 1;
            ins[order[r]] = 0;
        }
        masks.push_back(std::move(del));
        masks.push_back(std::move(ins));
    }
    return masks;
}

/// Splits masksOf()'s results (all tags) into deletion and insertion curves with their fraction-0
/// points: the unmasked track and the fully masked track.
void curvesOf(const std::vector<std::vector<float>>& results, const std::vector<float>& unmasked,
              const std::vector<float>& allMasked, std::vector<std::vector<float>>& deletion,
              std::vector<std::vector<float>>& insertion) {
    deletion = {unmasked};
    insertion = {allMasked};
    for (size_t i = 0; i + 1 < results.size(); i += 2) {
        deletion.push_back(results[i]);
        insertion.push_back(results[i + 1]);
    }
}

} // namespace

size_t segmentsOfFraction(double fraction, size_t segments) {
    if (!(fraction > 0.0) || segments == 0) return 0;
    return std::min(segments, std::max<size_t>(1, size_t(std::llround(fraction * double(segments)))));
}

Result<RandomCurveSet> randomCurves(Tagger::Impl& impl, ChunkedTrack& track, const std::vector<double>& fractions,
                                    int orderings, unsigned seed, const StepProgress& progress,
                                    const CancelToken* cancel) {
    RandomCurveSet out;
    out.fractions = fractions;
    const size_t n = track.segmentCount();
    auto allMasked = track.maskedTrackProbabilities(impl, {std::vector<uint8_t>(n, 1)}, cancel);
    if (!allMasked) return fail(allMasked.error());
    const auto unmasked = track.baselineTrack();
    std::mt19937 rng(seed);
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    for (int r = 0; r < orderings; ++r) {
        // NOTE: Fisher-Yates with our own use of the engine draws the same orderings on every
        // platform (std::shuffle's use of the engine is implementation-defined).
        for (size_t i = 0; i + 1 < n; ++i) std::swap(order[i], order[i + size_t(rng() % uint32_t(n - i))]);
        auto results = track.maskedTrackProbabilities(impl, masksOf(order, fractions), cancel);
        if (!results) return fail(results.error());
        std::vector<std::vector<float>> del, ins;
        curvesOf(*results, unmasked, allMasked->front(), del, ins);
        out.deletion.push_back(std::move(del));
        out.insertion.push_back(std::move(ins));
        if (progress) progress(double(r + 1) / double(orderings));
    }
    return out;
}

Result<analysis::FaithfulnessCurve> faithfulnessCurve(Tagger::Impl& impl, ChunkedTrack& track, size_t tag,
                                                      const std::string& method, const std::vector<double>& scores,
                                                      const RandomCurveSet& random, const CancelToken* cancel) {
    analysis::FaithfulnessCurve c;
    c.tag = tag;
    c.tagName = impl.card.tagName(tag);
    c.method = method;
    c.segmentSeconds = track.segmentSeconds();
    c.segmentCount = track.segmentCount();
    c.fractions = random.fractions;
    if (scores.size() != track.segmentCount())
        return fail(Error::Kind::Internal, {}, "the '" + method + "' explanation has " + std::to_string(scores.size()) +
                    " segment scores for a track of " + std::to_string(track.segmentCount()) + " segments");
    const auto order = rankSegments(scores);
    auto allMasked = track.maskedTrackProbabilities(impl, {std::vector<uint8_t>(track.segmentCount(), 1)}, cancel);
    if (!allMasked) return fail(allMasked.error());
    auto results = track.maskedTrackProbabilities(impl, masksOf(order, c.fractions), cancel);
    if (!results) return fail(results.error());
    std::vector<std::vector<float>> del, ins;
    curvesOf(*results, track.baselineTrack(), allMasked->front(), del, ins);
    for (const auto& point : del) c.deletion.push_back(point[tag]);
    for (const auto& point : ins) c.insertion.push_back(point[tag]);
    std::vector<std::vector<float>> rDel, rIns;
    for (size_t r = 0; r < random.deletion.size(); ++r) {
        rDel.emplace_back();
        rIns.emplace_back();
        for (const auto& point : random.deletion[r]) rDel.back().push_back(point[tag]);
        for (const auto& point : random.insertion[r]) rIns.back().push_back(point[tag]);
    }
    analysis::scoreAgainstRandom(c, rDel, rIns);
    return c;
}

} // namespace tagscope::model
