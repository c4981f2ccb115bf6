// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/model/explain/explainers.h"

namespace tagscope::model {

std::vector<double> segmentScores(const analysis::TimeSeries& series, double durationSeconds, double segmentSeconds) {
    if (durationSeconds <= 0.0 || segmentSeconds <= 0.0) return {};
    const auto count = size_t(std::ceil(durationSeconds / segmentSeconds - 1e-9));
    std::vector<double> weighted(count, 0.0), weight(count, 0.0);
    for (size_t i = 0; i < series.values.size(); ++i) {
        const double s = series.startSeconds[i], e = series.endSeconds[i];
        if (!(e > s)) continue;
        const auto j0 = size_t(std::max(0.0, std::floor(s / segmentSeconds)));
        for (size_t j = j0; j < count; ++j) {
            const auto [a, b] = segmentInterval(j, durationSeconds, segmentSeconds);
            if (a >= e) break;
            const double overlap = std::min(b, e) - std::max(a, s);
            if (overlap <= 0.0) continue;
            weighted[j] += overlap * double(series.values[i]);
            weight[j] += overlap;
        }
    }
    for (size_t j = 0; j < count; ++j) weighted[j] = weight[j] > 0.0 ? weighted[j] / weight[j] : 0.0;
    return weighted;
}

std::vector<size_t> rankSegments(const std::vector<double>& scores) {
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    return order;
}

Interval segmentInterval(size_t j, double durationSeconds, double segmentSeconds) {
    return {double(j) * segmentSeconds, std::min(durationSeconds, double(j + 1) * segmentSeconds)};
}

std::vector<Interval> evidenceSegments(const std::vector<double>& scores, double durationSeconds,
                                       double segmentSeconds, int k) {
    auto order = rankSegments(scores);
    order.resize(std::min(order.size(), size_t(std::max(0, k))));
    std::vector<size_t> chosen = order;
    std::sort(chosen.begin(), chosen.end());
    // Runs of adjacent segments become one interval, scored by their best member.
    std::vector<std::pair<double, Interval>> runs;
    for (size_t i = 0; i < chosen.size();) {
        size_t j = i;
        double best = scores[chosen[i]];
        while (j + 1 < chosen.size() && chosen[j + 1] == chosen[j] + 1) best = std::max(best, scores[chosen[++j]]);
        runs.push_back({best, {segmentInterval(chosen[i], durationSeconds, segmentSeconds).first,
                               segmentInterval(chosen[j], durationSeconds, segmentSeconds).second}});
        i = j + 1;
    }
    std::stable_sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Interval> out;
    for (const auto& r : runs) out.push_back(r.second);
    return out;
}

} // namespace tagscope::model
