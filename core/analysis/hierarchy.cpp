// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/hierarchy.h"

#include <algorithm>
#include <map>

namespace tagscope::analysis {

void buildHierarchy(const tags::Taxonomy& taxonomy, TrackAnalysis& r, size_t relationSize) {
    constexpr float kSmallestShownWeight = 0.05f;
    const bool labelled = r.vocabularyOfTag.size() == r.tagNames.size();
    // Learned group outputs by name (output index, ordinal among them); they are not fine tags.
    std::map<std::string, std::pair<size_t, size_t>> learned;
    std::vector<std::string> fineNames = r.tagNames;
    size_t fine = r.tagNames.size();
    if (labelled)
        for (size_t i = 0; i < r.tagNames.size(); ++i)
            if (r.vocabularyOfTag[i] == tags::kLearnedGroupsVocabulary) {
                learned.emplace(r.tagNames[i], std::pair{i, learned.size()});
                fineNames[i].clear(); // matches no member
                fine = std::min(fine, i);
            }
    r.hierarchy = tags::groupedMaxPool(taxonomy, fineNames, r.trackScores,
                                       labelled ? std::span<const std::string>(r.vocabularyOfTag)
                                                : std::span<const std::string>());
    const size_t groups = learned.size();
    const bool related = groups > 0 && r.coarseRelation.size() == groups * fine;
    for (auto& c : r.hierarchy) {
        const auto it = learned.find(c.group);
        if (it == learned.end() || it->second.first >= r.trackScores.size()) continue;
        c.score = r.trackScores[it->second.first];
        c.learned = true;
        if (!related) continue;
        const float* row = r.coarseRelation.data() + it->second.second * fine;
        std::vector<std::pair<size_t, float>> weights;
        for (size_t t = 0; t < fine; ++t) weights.emplace_back(t, row[t]);
        std::stable_sort(weights.begin(), weights.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        for (size_t k = 0; k < std::min(relationSize, weights.size()) && weights[k].second >= kSmallestShownWeight; ++k)
            c.relation.push_back(weights[k]);
    }
    std::stable_sort(r.hierarchy.begin(), r.hierarchy.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
}

} // namespace tagscope::analysis
