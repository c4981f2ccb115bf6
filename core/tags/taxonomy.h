// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/tags/coarse_tag.h"

namespace tagscope::tags {

/// Coarse groups of fine tags (Zhong et al. 2023 rule-based hierarchy). File format (JSON):
/// { "vocabulary": "mtat_top50",
///   "groups": [ { "name": "strings", "kind": "instrument", "members": ["violin", "cello", ...] }, ... ] }
/// Members may be written "vocab:tag" to name a tag of one vocabulary of a multi-vocabulary model.
struct Taxonomy {
    struct Group {
        std::string name;
        std::string kind;                 ///< "instrument", "genre", "mood", "tempo", "voice", ...
        std::vector<std::string> members; ///< fine tag names
    };
    std::string vocabulary;
    std::vector<Group> groups;
};

/// Loads a taxonomy file; errors name the file and the first problem.
Result<Taxonomy> loadTaxonomy(const std::filesystem::path& path);

/// A group of `Taxonomy::groups[group]` with the output indices of its members among a
/// model's tags (sorted, unique; groups without any member are left out).
struct ResolvedGroup {
    size_t group = 0;
    std::vector<size_t> members;
};
/// Finds each group's members among `tagNames` by the rules of groupedMaxPool().
std::vector<ResolvedGroup> resolveGroups(const Taxonomy& taxonomy, std::span<const std::string> tagNames,
                                         std::span<const std::string> vocabularyOfTag = {});

/// Grouped max-pooling: for each group with at least one member among `tagNames`, the coarse
/// score is the max of its members' scores, and the argmax tag is kept as evidence. Sorted by
/// descending score. A bare member matches every tag of that name, so one group pools the same
/// tag across the vocabularies of a multi-vocabulary model; `vocabularyOfTag` (one name per
/// output, optional) lets "vocab:tag" members pick one vocabulary's tag.
std::vector<CoarseTag> groupedMaxPool(const Taxonomy& taxonomy, std::span<const std::string> tagNames,
                                                std::span<const float> scores,
                                                std::span<const std::string> vocabularyOfTag = {});

/// One taxonomy for a multi-vocabulary model: groups of the same name are merged (first kind
/// kept, members deduplicated in first-seen order); vocabulary names are joined with '+'.
Taxonomy mergeTaxonomies(std::span<const Taxonomy> taxonomies);

/// Writes `taxonomy` in the format loadTaxonomy() reads (atomically).
Result<void> saveTaxonomy(const Taxonomy& taxonomy, const std::filesystem::path& path,
                          const std::string& description = {});

} // namespace tagscope::tags
