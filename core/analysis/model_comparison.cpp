// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/model_comparison.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace tagscope::analysis {
namespace {

/// Mean ranks (1-based) of `v`; ties share the mean of their ranks.
std::vector<double> ranks(const std::vector<float>& v) {
    std::vector<size_t> order(v.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        const double mean = 0.5 * double(i + j) + 1.0;
        for (size_t k = i; k <= j; ++k) r[order[k]] = mean;
        i = j + 1;
    }
    return r;
}

/// Pools `indices` by max score: (score, argmax).
std::pair<float, size_t> maxOf(const std::vector<size_t>& indices, const std::vector<float>& scores) {
    float best = -1.0f;
    size_t arg = indices.empty() ? 0 : indices.front();
    for (auto i : indices)
        if (i < scores.size() && scores[i] > best) {
            best = scores[i];
            arg = i;
        }
    return {std::max(0.0f, best), arg};
}

std::map<std::string, std::vector<size_t>> conceptsOf(const TrackAnalysis& a) {
    std::map<std::string, std::vector<size_t>> out;
    for (size_t i = 0; i < a.tagNames.size(); ++i) out[conceptName(a.tagNames[i])].push_back(i);
    return out;
}

/// Top `k` segments of one tag's occlusion drops.
std::vector<size_t> topSegments(const OcclusionRelevance& occ, size_t tag, size_t k) {
    std::vector<double> scores;
    for (size_t j = 0; j < occ.segmentCount(); ++j) scores.push_back(occ.drop(j, tag));
    auto order = rankByScore(scores);
    order.resize(std::min(order.size(), k));
    return order;
}

bool sameGrid(const OcclusionRelevance& a, const OcclusionRelevance& b) {
    return a.segmentCount() == b.segmentCount() && a.segmentCount() > 0 &&
           std::abs(a.segmentSeconds - b.segmentSeconds) < 1e-9;
}

} // namespace

std::string conceptName(const std::string& tagName) {
    std::string name = tagName;
    if (const auto dashes = name.find("---"); dashes != std::string::npos && dashes + 3 < name.size())
        name = name.substr(dashes + 3);
    for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return name;
}

double spearmanCorrelation(const std::vector<float>& x, const std::vector<float>& y) {
    const size_t n = std::min(x.size(), y.size());
    if (n < 2) return 0.0;
    const auto rx = ranks(std::vector<float>(x.begin(), x.begin() + long(n)));
    const auto ry = ranks(std::vector<float>(y.begin(), y.begin() + long(n)));
    const double mean = 0.5 * double(n + 1);
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (size_t i = 0; i < n; ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    return sxx > 0.0 && syy > 0.0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

double jaccard(std::vector<size_t> a, std::vector<size_t> b) {
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
    if (a.empty() && b.empty()) return 1.0;
    std::vector<size_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    return double(both.size()) / double(a.size() + b.size() - both.size());
}

ModelComparison compareAnalyses(const TrackAnalysis& a, const TrackAnalysis& b, const OcclusionRelevance* occA,
                                const OcclusionRelevance* occB, const CompareOptions& options) {
    ModelComparison out;
    out.modelA = a.modelId;
    out.modelB = b.modelId;
    const auto conceptsA = conceptsOf(a), conceptsB = conceptsOf(b);
    std::set<std::string> names;
    for (const auto& [name, tags] : conceptsA) {
        const auto it = conceptsB.find(name);
        if (it == conceptsB.end()) continue;
        AlignedTag row;
        row.name = name;
        row.kind = "tag";
        row.tagsA = tags;
        row.tagsB = it->second;
        std::tie(row.scoreA, row.evidenceA) = maxOf(row.tagsA, a.trackScores);
        std::tie(row.scoreB, row.evidenceB) = maxOf(row.tagsB, b.trackScores);
        names.insert(name);
        out.tags.push_back(std::move(row));
    }
    // NOTE: a group with the name of an aligned tag is left out; the tag row already says it.
    for (const auto& ga : a.hierarchy) {
        if (names.count(ga.group)) continue;
        const auto gb = std::find_if(b.hierarchy.begin(), b.hierarchy.end(),
                                     [&](const CoarseTag& g) { return g.group == ga.group; });
        if (gb == b.hierarchy.end()) continue;
        AlignedTag row;
        row.name = ga.group;
        row.kind = "group";
        row.tagsA = ga.members;
        row.tagsB = gb->members;
        row.scoreA = ga.score;
        row.scoreB = gb->score;
        row.evidenceA = ga.evidenceIndex;
        row.evidenceB = gb->evidenceIndex;
        names.insert(ga.group);
        out.tags.push_back(std::move(row));
    }
    std::stable_sort(out.tags.begin(), out.tags.end(), [](const AlignedTag& x, const AlignedTag& y) {
        return std::max(x.scoreA, x.scoreB) > std::max(y.scoreA, y.scoreB);
    });
    std::vector<float> sa, sb;
    for (const auto& row : out.tags) {
        sa.push_back(row.scoreA);
        sb.push_back(row.scoreB);
    }
    out.rankCorrelation = spearmanCorrelation(sa, sb);

    if (occA && occB && sameGrid(*occA, *occB)) {
        const size_t segments = occA->segmentCount();
        out.topSegments = std::min(segments, std::max(options.minTopSegments,
                                                      size_t(std::ceil(options.topShare * double(segments)))));
        double sum = 0.0;
        size_t counted = 0;
        for (auto& row : out.tags) {
            if (row.evidenceA >= occA->tagCount || row.evidenceB >= occB->tagCount) continue;
            row.evidenceOverlap = jaccard(topSegments(*occA, row.evidenceA, out.topSegments),
                                          topSegments(*occB, row.evidenceB, out.topSegments));
            if (counted < options.overlapRows) {
                sum += *row.evidenceOverlap;
                ++counted;
            }
        }
        out.overlapRows = counted;
        if (counted > 0) out.meanEvidenceOverlap = sum / double(counted);
    }
    return out;
}

} // namespace tagscope::analysis
