// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/surrogate/musical_explanation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace tagscope::surrogate {
namespace {

using nlohmann::json;

json number(double v, double scale = 1e4) {
    if (!std::isfinite(v)) return nullptr;
    return std::round(v * scale) / scale;
}

json contributionsJson(const MusicalExplanation& e, const std::vector<SurrogateFeature>& features, size_t top) {
    json list = json::array();
    for (size_t f : e.ranked(top)) {
        if (f >= features.size()) continue;
        list.push_back({{"feature", features[f].key}, {"name", features[f].name}, {"unit", features[f].unit},
                        {"value", number(e.featureValues[f])}, {"contribution", number(e.contributions[f])}});
    }
    return list;
}

} // namespace

std::string formatFeatureValue(const SurrogateFeature& feature, float value) {
    if (!std::isfinite(value)) return "unknown";
    const double a = std::fabs(value);
    char buffer[64];
    if (a >= 100.0) std::snprintf(buffer, sizeof buffer, "%.0f", double(value));
    else if (a >= 10.0) std::snprintf(buffer, sizeof buffer, "%.1f", double(value));
    else if (a >= 0.095 || a == 0.0) std::snprintf(buffer, sizeof buffer, "%.2f", double(value));
    else std::snprintf(buffer, sizeof buffer, "%.2g", double(value));  // 0.0012, not 0.00
    std::string text = buffer;
    if (!feature.unit.empty()) text += " " + feature.unit;
    return text;
}

std::vector<std::pair<double, double>> MusicalTagExplanation::segmentsPushedBy(size_t feature, size_t k) const {
    std::vector<size_t> order;
    for (size_t s = 0; s < segments.size() && s < segmentSpans.size(); ++s)
        if (feature < segments[s].contributions.size() && segments[s].contributions[feature] > 0.0f) order.push_back(s);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return segments[a].contributions[feature] > segments[b].contributions[feature];
    });
    if (order.size() > k) order.resize(k);
    std::vector<std::pair<double, double>> spans;
    for (size_t s : order) spans.push_back(segmentSpans[s]);
    return spans;
}

std::string MusicalTagExplanation::contributionLine(size_t feature) const {
    if (feature >= features.size() || feature >= track.contributions.size()) return {};
    char value[32];
    std::snprintf(value, sizeof value, "%+.2f", double(track.contributions[feature]));
    return features[feature].name + " " + formatFeatureValue(features[feature], track.featureValues[feature]) + ": " +
           value;
}

json MusicalTagExplanation::toJson(size_t topFeatures) const {
    json j = {{"tag", tagName},
              {"surrogate_probability", number(track.prediction)},
              {"expected_probability", number(track.bias)},
              {"contributions", contributionsJson(track, features, topFeatures)}};
    if (fidelity) {
        j["fidelity"] = {{"r2", fidelity->r2 ? number(*fidelity->r2) : json(nullptr)},
                         {"auc", fidelity->auc ? number(*fidelity->auc) : json(nullptr)},
                         {"verdict", fidelity->verdict()}};
    }
    json segs = json::array();
    for (size_t s = 0; s < segments.size() && s < segmentSpans.size(); ++s)
        segs.push_back({{"start", number(segmentSpans[s].first, 1e3)},
                        {"end", number(segmentSpans[s].second, 1e3)},
                        {"surrogate_probability", number(segments[s].prediction)},
                        {"contributions", contributionsJson(segments[s], features, topFeatures)}});
    j["segments"] = segs;
    return j;
}

Result<MusicalTagExplanation> explainInMusicalTerms(const SurrogateModel& model, size_t tag,
                                                   const FeatureMatrix& trackRow, const FeatureMatrix& segmentRows,
                                                   std::vector<std::pair<double, double>> segmentSpans) {
    if (tag >= model.tags().size())
        return fail(Error::Kind::InvalidInput, {}, "the surrogate model has no tag number " + std::to_string(tag));
    if (trackRow.rows != 1)
        return fail(Error::Kind::Internal, {}, "explaining in musical terms needs exactly one track row");
    if (segmentRows.rows != segmentSpans.size())
        return fail(Error::Kind::Internal, {}, "explaining in musical terms: one time span per segment is needed");
    MusicalTagExplanation out;
    out.tag = tag;
    out.tagName = model.tags()[tag];
    out.features = model.features();
    out.fidelity = model.fidelityOf(tag);
    auto track = model.explain(tag, trackRow);
    if (!track) return fail(track.error());
    out.track = std::move(track->front());
    if (segmentRows.rows > 0) {
        auto segments = model.explain(tag, segmentRows);
        if (!segments) return fail(segments.error());
        out.segments = std::move(*segments);
    }
    out.segmentSpans = std::move(segmentSpans);
    return out;
}

} // namespace tagscope::surrogate
