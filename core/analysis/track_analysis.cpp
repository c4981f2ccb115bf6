// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/track_analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tagscope::analysis {
namespace {

std::string twoDecimals(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", double(v));
    return buf;
}

/// "3 most relevant seconds", "3 most relevant 2.5-second segments", "1 most relevant second".
std::string segmentsPhrase(int k, double seconds, const std::string& which) {
    const std::string count = std::to_string(k);
    if (std::abs(seconds - 1.0) < 1e-9) return count + " " + which + (k == 1 ? " second" : " seconds");
    char len[32];
    std::snprintf(len, sizeof len, "%g", seconds);
    return count + " " + which + " " + len + "-second " + (k == 1 ? "segment" : "segments");
}

// NOTE: compares the values as printed, so a user never reads "from 0.13 to 0.13".
int direction(float from, float to) {
    const std::string a = twoDecimals(from), b = twoDecimals(to);
    if (a == b) return 0;
    return to < from ? -1 : 1;
}

std::string changeWords(float from, float to) {
    switch (direction(from, to)) {
    case -1: return "lowers it to " + twoDecimals(to);
    case 1: return "raises it to " + twoDecimals(to);
    default: return "leaves it at " + twoDecimals(to);
    }
}

/// The verdict users read: does the explanation point at audio the model relies on?
std::string verdict(float advantage) {
    constexpr float kClear = 0.02f; // NOTE: a probability difference users can see in the bars
    if (advantage >= kClear) return " The explanation points at audio the model relies on.";
    if (advantage <= -kClear) return " Random audio matters more: do not trust this explanation for this tag.";
    return " No clearer than chance: treat this explanation with caution.";
}

} // namespace

std::vector<TagScore> TrackAnalysis::ranked(size_t n, float threshold) const {
    std::vector<TagScore> out;
    for (size_t i = 0; i < trackScores.size(); ++i) {
        if (!(trackScores[i] >= threshold)) continue;
        out.push_back({i, i < tagNames.size() ? tagNames[i] : std::to_string(i), trackScores[i]});
    }
    std::stable_sort(out.begin(), out.end(), [](const TagScore& a, const TagScore& b) { return a.score > b.score; });
    if (n > 0 && out.size() > n) out.resize(n);
    return out;
}

std::string Faithfulness::summary() const {
    const std::string name = "'" + (tagName.empty() ? "tag " + std::to_string(tag) : tagName) + "'";
    std::string top = "Masking the " + segmentsPhrase(k, segmentSeconds, "most relevant");
    if (!method.empty()) top += " (by " + method + ")";
    std::string s = top + " ";
    const int d = direction(baseline, afterTopK);
    if (d < 0) s += "lowers " + name + " from " + twoDecimals(baseline) + " to " + twoDecimals(afterTopK);
    else if (d > 0) s += "raises " + name + " from " + twoDecimals(baseline) + " to " + twoDecimals(afterTopK);
    else s += "leaves " + name + " at " + twoDecimals(baseline);
    s += "; masking " + segmentsPhrase(k, segmentSeconds, "random") + " " + changeWords(baseline, afterRandom) + ".";
    return s + verdict(advantage());
}

} // namespace tagscope::analysis
