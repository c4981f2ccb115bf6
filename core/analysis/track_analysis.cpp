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

std::string changeWords(float from, float to) {
    if (to < from) return "lowers it to " + twoDecimals(to);
    if (to > from) return "raises it to " + twoDecimals(to);
    return "leaves it at " + twoDecimals(to);
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
    if (afterTopK < baseline) s += "lowers " + name + " from " + twoDecimals(baseline) + " to " + twoDecimals(afterTopK);
    else if (afterTopK > baseline) s += "raises " + name + " from " + twoDecimals(baseline) + " to " + twoDecimals(afterTopK);
    else s += "leaves " + name + " at " + twoDecimals(baseline);
    s += "; masking " + segmentsPhrase(k, segmentSeconds, "random") + " " + changeWords(baseline, afterRandom) + ".";
    return s;
}

} // namespace tagscope::analysis
