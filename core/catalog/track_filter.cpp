// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/catalog/track_filter.h"

#include <algorithm>
#include <cctype>
#include <numeric>

#include "core/catalog/path_text.h"

namespace tagscope::catalog {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Score of the best tag named `wanted` ("name" or "name (vocabulary)"); -1 when none.
float tagScore(const CatalogTrack& t, const std::string& wanted) {
    const std::string w = lower(wanted);
    float best = -1.0f;
    for (size_t i = 0; i < t.tagNames.size() && i < t.scores.size(); ++i) {
        const std::string name = lower(t.tagNames[i]);
        const std::string vocab = i < t.vocabularies.size() ? lower(t.vocabularies[i]) : std::string();
        if (name == w || (!vocab.empty() && name + " (" + vocab + ")" == w)) best = std::max(best, t.scores[i]);
    }
    return best;
}

float groupScore(const LibraryEntry& e, const std::string& wanted) {
    const std::string w = lower(wanted);
    float best = -1.0f;
    for (const auto& g : e.groups)
        if (lower(g.group) == w) best = std::max(best, g.score);
    return best;
}

} // namespace

float filterScore(const LibraryEntry& e, const TrackFilter& f) {
    float s = -1.0f;
    if (!f.tag.empty()) s = std::max(s, tagScore(e.track, f.tag));
    if (!f.group.empty()) s = std::max(s, groupScore(e, f.group));
    if (f.tag.empty() && f.group.empty())
        for (float v : e.track.scores) s = std::max(s, v);
    return s;
}

bool matches(const LibraryEntry& e, const TrackFilter& f) {
    if (!f.tag.empty() && tagScore(e.track, f.tag) < f.minScore) return false;
    if (!f.group.empty() && groupScore(e, f.group) < f.minScore) return false;
    if (!f.text.empty() && lower(toValidUtf8(e.track.path.native())).find(lower(f.text)) == std::string::npos) return false;
    return true;
}

std::vector<analysis::TagScore> topTags(const CatalogTrack& t, size_t n) {
    std::vector<size_t> order(std::min(t.tagNames.size(), t.scores.size()));
    std::iota(order.begin(), order.end(), size_t(0));
    const size_t k = std::min(n, order.size());
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(k), order.end(),
                      [&](size_t a, size_t b) { return t.scores[a] > t.scores[b]; });
    std::vector<analysis::TagScore> out;
    for (size_t i = 0; i < k; ++i) out.push_back({order[i], t.tagNames[order[i]], t.scores[order[i]]});
    return out;
}

std::vector<const LibraryEntry*> search(const std::vector<LibraryEntry>& library, const TrackFilter& filter) {
    std::vector<std::pair<float, const LibraryEntry*>> hits;
    for (const auto& e : library)
        if (matches(e, filter)) hits.emplace_back(filterScore(e, filter), &e);
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<const LibraryEntry*> out;
    for (const auto& h : hits) out.push_back(h.second);
    return out;
}

} // namespace tagscope::catalog
