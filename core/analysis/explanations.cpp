// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/explanations.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace tagscope::analysis {
namespace {

/// The q-quantile (0..1) of `values` by linear interpolation between order statistics.
float quantile(std::vector<float> values, double q) {
    if (values.empty()) return 0.0f;
    std::sort(values.begin(), values.end());
    const double pos = q * double(values.size() - 1);
    const auto lo = size_t(std::floor(pos));
    const size_t hi = std::min(values.size() - 1, lo + 1);
    return float(values[lo] + (pos - double(lo)) * (values[hi] - values[lo]));
}

RandomCurves summarise(const std::vector<std::vector<float>>& curves, size_t points) {
    RandomCurves out;
    for (size_t i = 0; i < points; ++i) {
        std::vector<float> column;
        for (const auto& c : curves)
            if (i < c.size()) column.push_back(c[i]);
        const double mean = column.empty() ? 0.0
                                           : std::accumulate(column.begin(), column.end(), 0.0) / double(column.size());
        out.mean.push_back(float(mean));
        out.p10.push_back(quantile(column, 0.1));
        out.p90.push_back(quantile(column, 0.9));
    }
    return out;
}

std::string percent(double share) { return std::to_string(int(std::lround(share * 100.0))) + "%"; }

std::string fixed2(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

} // namespace

TimeSeries OcclusionRelevance::curve(size_t tag) const {
    TimeSeries s;
    if (tag >= tagCount) return s;
    s.startSeconds = segmentStartSeconds;
    s.endSeconds = segmentEndSeconds;
    for (size_t j = 0; j < segmentCount(); ++j) s.values.push_back(drop(j, tag));
    return s;
}

FaithfulnessVerdict verdictOf(double shareBeaten) {
    if (shareBeaten >= kFaithfulShare) return FaithfulnessVerdict::Faithful;
    if (shareBeaten >= kWeakShare) return FaithfulnessVerdict::Weak;
    return FaithfulnessVerdict::Chance;
}

std::string verdictName(FaithfulnessVerdict verdict) {
    switch (verdict) {
    case FaithfulnessVerdict::Faithful: return "faithful";
    case FaithfulnessVerdict::Weak: return "weak";
    case FaithfulnessVerdict::Chance: return "chance";
    }
    return "chance";
}

bool parseVerdict(const std::string& name, FaithfulnessVerdict& out) {
    for (auto v : {FaithfulnessVerdict::Faithful, FaithfulnessVerdict::Weak, FaithfulnessVerdict::Chance})
        if (verdictName(v) == name) {
            out = v;
            return true;
        }
    return false;
}

double curveArea(const std::vector<double>& fractions, const std::vector<float>& curve) {
    const size_t n = std::min(fractions.size(), curve.size());
    if (n == 0) return 0.0;
    if (n == 1) return curve[0];
    double area = 0.0;
    for (size_t i = 1; i < n; ++i) area += 0.5 * (fractions[i] - fractions[i - 1]) * double(curve[i] + curve[i - 1]);
    const double span = fractions[n - 1] - fractions[0];
    return span > 0.0 ? area / span : double(curve[0]);
}

void scoreAgainstRandom(FaithfulnessCurve& c, const std::vector<std::vector<float>>& randomDeletion,
                        const std::vector<std::vector<float>>& randomInsertion) {
    const size_t points = c.fractions.size();
    const size_t orderings = std::min(randomDeletion.size(), randomInsertion.size());
    c.randomOrderings = int(orderings);
    c.randomDeletion = summarise(randomDeletion, points);
    c.randomInsertion = summarise(randomInsertion, points);
    c.score = curveArea(c.fractions, c.insertion) - curveArea(c.fractions, c.deletion);
    double sum = 0.0, beaten = 0.0;
    for (size_t r = 0; r < orderings; ++r) {
        const double s = curveArea(c.fractions, randomInsertion[r]) - curveArea(c.fractions, randomDeletion[r]);
        sum += s;
        // NOTE: ties count half, so a constant (uninformative) model sits at 0.5, not at 0 or 1.
        if (c.score > s + 1e-9) beaten += 1.0;
        else if (std::abs(c.score - s) <= 1e-9) beaten += 0.5;
    }
    c.randomScoreMean = orderings > 0 ? sum / double(orderings) : 0.0;
    c.areaBetween = c.score - c.randomScoreMean;
    c.shareBeaten = orderings > 0 ? beaten / double(orderings) : 0.0;
    c.verdict = verdictOf(c.shareBeaten);
}

namespace {

/// Faithful 2, Weak 1, Chance 0.
int verdictRank(FaithfulnessVerdict v) {
    return v == FaithfulnessVerdict::Faithful ? 2 : v == FaithfulnessVerdict::Weak ? 1 : 0;
}

} // namespace

size_t mostFaithful(const std::vector<FaithfulnessCurve>& curves) {
    size_t best = curves.size();
    for (size_t i = 0; i < curves.size(); ++i) {
        if (best == curves.size()) {
            best = i;
            continue;
        }
        const auto& a = curves[i];
        const auto& b = curves[best];
        // NOTE: within one verdict level, a method that explains the tag beats the plain attention
        // rollout, which is the same for every tag: on steady music any ranking of loud parts
        // deletes well, so rollout often ties at 100% and would be shown as every tag's
        // explanation while pointing at no tag in particular (the pointing benchmark: chance).
        const int levelA = verdictRank(a.verdict), levelB = verdictRank(b.verdict);
        if (levelA != levelB) {
            if (levelA > levelB) best = i;
            continue;
        }
        const bool tagA = a.method != "rollout", tagB = b.method != "rollout";
        if (tagA != tagB) {
            if (tagA) best = i;
            continue;
        }
        if (a.shareBeaten > b.shareBeaten + 1e-12 ||
            (std::abs(a.shareBeaten - b.shareBeaten) <= 1e-12 && a.areaBetween > b.areaBetween))
            best = i;
    }
    return best;
}

std::vector<size_t> rankByScore(const std::vector<double>& scores) {
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    return order;
}

double evidenceShareInside(const std::vector<double>& scores, double segmentSeconds, double start, double end) {
    double total = 0.0, inside = 0.0;
    for (size_t j = 0; j < scores.size(); ++j) {
        const double v = std::isfinite(scores[j]) ? std::max(0.0, scores[j]) : 0.0;
        const double a = double(j) * segmentSeconds, b = a + segmentSeconds;
        const double overlap = std::max(0.0, std::min(b, end) - std::max(a, start));
        total += v;
        inside += v * overlap / segmentSeconds;
    }
    return total > 0.0 ? inside / total : 0.0;
}

std::string FaithfulnessCurve::summary() const {
    const std::string who = method.empty() ? std::string("The explanation") : std::string(1, char(std::toupper(method[0]))) + method.substr(1);
    if (fractions.empty() || deletion.size() != fractions.size())
        return who + " of '" + tagName + "' was not tested.";
    // The fraction nearest 10% (or the last one) is the one quoted.
    size_t q = fractions.size() - 1;
    for (size_t i = 0; i < fractions.size(); ++i)
        if (fractions[i] >= 0.1 - 1e-9) {
            q = i;
            break;
        }
    std::string s = who + " of '" + tagName + "': hiding its top " + percent(fractions[q]) + " of the track moves the score from " +
                    fixed2(deletion[0]) + " to " + fixed2(deletion[q]) + " (random choices: " +
                    fixed2(q < randomDeletion.mean.size() ? randomDeletion.mean[q] : 0.0f) + "); it beats " +
                    percent(shareBeaten) + " of " + std::to_string(randomOrderings) + " random orderings — ";
    switch (verdict) {
    case FaithfulnessVerdict::Faithful: s += "it points at audio the model relies on."; break;
    case FaithfulnessVerdict::Weak: s += "somewhat better than chance; read it with care."; break;
    case FaithfulnessVerdict::Chance: s += "no better than chance; do not trust it for this tag."; break;
    }
    return s;
}

const FaithfulnessCurve* TagExplanation::bestCurve() const {
    for (const auto& c : curves)
        if (c.method == bestMethod) return &c;
    return nullptr;
}

const TimeSeries* TagExplanation::series(const std::string& method) const {
    if (method == "occlusion" && occlusion) return &*occlusion;
    if (method == "contribution" && contribution) return &*contribution;
    if (method == "attribution" && attribution) return &*attribution;
    if (method == "gradient" && relevance) return &relevance->perFrame;
    return nullptr;
}

} // namespace tagscope::analysis
