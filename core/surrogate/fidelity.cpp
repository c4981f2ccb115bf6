// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/surrogate/fidelity.h"

#include <algorithm>
#include <numeric>

namespace tagscope::surrogate {

std::optional<double> rSquared(std::span<const float> predicted, std::span<const float> target) {
    if (predicted.size() != target.size() || target.empty()) return std::nullopt;
    double mean = 0.0;
    for (float t : target) mean += t;
    mean /= double(target.size());
    double ssRes = 0.0, ssTot = 0.0;
    for (size_t i = 0; i < target.size(); ++i) {
        ssRes += (double(target[i]) - predicted[i]) * (double(target[i]) - predicted[i]);
        ssTot += (double(target[i]) - mean) * (double(target[i]) - mean);
    }
    if (ssTot <= 1e-12 * double(target.size())) return std::nullopt;
    return 1.0 - ssRes / ssTot;
}

std::optional<double> rocAuc(std::span<const float> scores, std::span<const char> labels) {
    if (scores.size() != labels.size()) return std::nullopt;
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    // Mann-Whitney U with average ranks for ties.
    double rankSumPositive = 0.0;
    size_t positives = 0;
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && scores[order[j + 1]] == scores[order[i]]) ++j;
        const double rank = 0.5 * double(i + j) + 1.0;
        for (size_t k = i; k <= j; ++k)
            if (labels[order[k]]) rankSumPositive += rank, ++positives;
        i = j + 1;
    }
    const size_t negatives = scores.size() - positives;
    if (positives == 0 || negatives == 0) return std::nullopt;
    const double u = rankSumPositive - double(positives) * double(positives + 1) / 2.0;
    return u / (double(positives) * double(negatives));
}

std::vector<char> topKLabels(std::span<const float> values, size_t rows, size_t tags, size_t k) {
    std::vector<char> labels(rows * tags, 0);
    std::vector<size_t> order(tags);
    for (size_t r = 0; r < rows && r * tags + tags <= values.size(); ++r) {
        std::iota(order.begin(), order.end(), size_t(0));
        const size_t n = std::min(k, tags);
        std::partial_sort(order.begin(), order.begin() + long(n), order.end(), [&](size_t a, size_t b) {
            return values[r * tags + a] > values[r * tags + b];
        });
        for (size_t i = 0; i < n; ++i) labels[r * tags + order[i]] = 1;
    }
    return labels;
}

std::string TagFidelity::verdict() const {
    if (!r2) return "unknown";
    if (*r2 >= 0.5) return "good";
    if (*r2 >= 0.25) return "fair";
    return "poor";
}

FidelitySummary summarize(std::span<const TagFidelity> table) {
    FidelitySummary summary;
    auto median = [](std::vector<double> v) -> std::optional<double> {
        if (v.empty()) return std::nullopt;
        std::sort(v.begin(), v.end());
        const size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    };
    std::vector<double> r2s, aucs;
    for (const auto& f : table) {
        if (f.r2) {
            r2s.push_back(*f.r2);
            if (!summary.worstR2 || *f.r2 < *summary.worstR2->r2) summary.worstR2 = f;
        }
        if (f.auc) {
            aucs.push_back(*f.auc);
            if (!summary.worstAuc || *f.auc < *summary.worstAuc->auc) summary.worstAuc = f;
        }
    }
    summary.tagsWithAuc = aucs.size();
    summary.medianR2 = median(r2s);
    summary.medianAuc = median(aucs);
    return summary;
}

} // namespace tagscope::surrogate
