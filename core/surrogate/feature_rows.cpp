// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/surrogate/feature_rows.h"

#include <cstdint>
#include <cstdio>

#include <algorithm>
#include <cmath>

namespace tagscope::surrogate {
namespace {

std::vector<float> toFloat(const std::vector<double>& values, size_t cols) {
    std::vector<float> row(cols, std::nanf(""));
    for (size_t i = 0; i < cols && i < values.size(); ++i) row[i] = float(values[i]);
    return row;
}

/// Tags that say "there is singing": vocal(s), voice, singer, female/male vocal(ist) ...
bool isVocalTag(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (name.find("no vocal") != std::string::npos || name.find("no voice") != std::string::npos ||
        name.find("instrumental") != std::string::npos || name.find("not ") != std::string::npos)
        return false;
    for (const char* word : {"vocal", "voice", "singer", "sing"})
        if (name.find(word) != std::string::npos) return true;
    return false;
}

} // namespace

std::vector<SurrogateFeature> catalogFeatures() {
    std::vector<SurrogateFeature> out;
    for (const auto& info : features::featureCatalog()) out.push_back({info.key, info.name, info.unit});
    return out;
}

std::string catalogFingerprint() {
    // NOTE: FNV-1a over every feature's key, unit and method text (the method says how it is measured).
    uint64_t hash = 14695981039346656037ull;
    auto add = [&](const std::string& text) {
        for (unsigned char ch : text) hash = (hash ^ ch) * 1099511628211ull;
        hash = (hash ^ 0xffu) * 1099511628211ull;
    };
    for (const auto& info : features::featureCatalog()) add(info.key), add(info.unit), add(info.method);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return hex;
}

FeatureRows featureRows(const features::TrackFeatures& f) {
    const size_t cols = features::featureCatalog().size();
    FeatureRows rows;
    rows.track = {0, cols, {}};
    rows.segments = {0, cols, {}};
    rows.track.appendRow(toFloat(f.values, cols));
    for (const auto& s : f.segments) {
        rows.segments.appendRow(toFloat(s.values, cols));
        rows.spans.emplace_back(s.startSeconds, s.endSeconds);
    }
    return rows;
}

std::vector<float> probabilitiesOver(const analysis::Taggram& taggram, double start, double end) {
    std::vector<float> out(taggram.tagCount, 0.0f);
    if (taggram.chunkCount() == 0) return out;
    std::vector<double> sum(taggram.tagCount, 0.0);
    double weight = 0.0;
    size_t nearest = 0;
    double nearestDistance = 1e300;
    for (size_t c = 0; c < taggram.chunkCount(); ++c) {
        const double a = taggram.chunkStartSeconds[c], b = taggram.chunkEndSeconds[c];
        const double overlap = std::min(b, end) - std::max(a, start);
        const double distance = std::fabs(0.5 * (a + b) - 0.5 * (start + end));
        if (distance < nearestDistance) nearestDistance = distance, nearest = c;
        if (overlap <= 0.0) continue;
        for (size_t t = 0; t < taggram.tagCount; ++t) sum[t] += overlap * taggram.at(c, t);
        weight += overlap;
    }
    for (size_t t = 0; t < taggram.tagCount; ++t)
        out[t] = weight > 0.0 ? float(sum[t] / weight) : taggram.at(nearest, t);
    return out;
}

void fillModelFeatures(features::TrackFeatures& f, const analysis::TrackAnalysis& analysis) {
    const auto index = features::featureIndex(features::kVocalPresenceKey);
    if (!index) return;
    std::vector<size_t> vocalTags;
    for (size_t t = 0; t < analysis.tagNames.size(); ++t)
        if (isVocalTag(analysis.tagNames[t])) vocalTags.push_back(t);
    if (vocalTags.empty()) return;
    auto strongest = [&](const std::vector<float>& probabilities) {
        float best = 0.0f;
        for (size_t t : vocalTags)
            if (t < probabilities.size()) best = std::max(best, probabilities[t]);
        return double(best);
    };
    f.setValue(features::kVocalPresenceKey, strongest(analysis.trackScores));
    for (auto& s : f.segments)
        if (*index < s.values.size())
            s.values[*index] = strongest(probabilitiesOver(analysis.taggram, s.startSeconds, s.endSeconds));
}

} // namespace tagscope::surrogate
