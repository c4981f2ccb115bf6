// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/segment_curve.h"

#include <algorithm>
#include <cmath>

namespace tagscope::ui {

analysis::TimeSeries segmentCurve(const analysis::TimeSeries& series, double duration, double segmentSeconds,
                                  int passes) {
    analysis::TimeSeries out;
    if (!(duration > 0.0) || !(segmentSeconds > 0.0)) return out;
    const size_t segments = size_t(std::max(1.0, std::ceil(duration / segmentSeconds - 1e-9)));
    std::vector<double> sum(segments, 0.0);
    std::vector<double> weight(segments, 0.0);
    const size_t n = std::min({series.startSeconds.size(), series.endSeconds.size(), series.values.size()});
    for (size_t i = 0; i < n; ++i) {
        const double a = std::max(0.0, series.startSeconds[i]);
        const double b = std::min(duration, series.endSeconds[i]);
        if (!(b > a) || !std::isfinite(series.values[i])) continue;
        const size_t s0 = std::min(segments - 1, size_t(a / segmentSeconds));
        const size_t s1 = std::min(segments - 1, size_t(std::max(0.0, (b - 1e-12) / segmentSeconds)));
        for (size_t s = s0; s <= s1; ++s) {
            const double overlap = std::min(b, (s + 1) * segmentSeconds) - std::max(a, s * segmentSeconds);
            if (overlap <= 0.0) continue;
            sum[s] += overlap * series.values[i];
            weight[s] += overlap;
        }
    }
    std::vector<double> values(segments);
    for (size_t s = 0; s < segments; ++s) values[s] = weight[s] > 0.0 ? sum[s] / weight[s] : 0.0;
    for (int p = 0; p < passes && segments > 1; ++p) {
        std::vector<double> next(segments);
        for (size_t s = 0; s < segments; ++s) {
            double total = 2.0 * values[s];
            double w = 2.0;
            if (s > 0) total += values[s - 1], w += 1.0;
            if (s + 1 < segments) total += values[s + 1], w += 1.0;
            next[s] = total / w;
        }
        values = std::move(next);
    }
    for (size_t s = 0; s < segments; ++s) {
        out.startSeconds.push_back(s * segmentSeconds);
        out.endSeconds.push_back(std::min(duration, (s + 1) * segmentSeconds));
        out.values.push_back(float(values[s]));
    }
    return out;
}

const analysis::TimeSeries* evidenceSeries(const analysis::TagExplanation& e, std::string* method) {
    // NOTE: the most faithful method first (bestMethod), then the others in the core's default order.
    for (const std::string& m : {e.bestMethod, std::string("occlusion"), std::string("attribution"),
                                 std::string("contribution"), std::string("gradient")}) {
        if (m.empty()) continue;
        const analysis::TimeSeries* s = e.series(m);
        if (s && !s->values.empty()) {
            if (method) *method = m;
            return s;
        }
    }
    return nullptr;
}

} // namespace tagscope::ui
