// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"

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

/// Grouped max-pooling: for each group with at least one member among `tagNames`, the coarse
/// score is the max of its members' scores, and the argmax tag is kept as evidence. Sorted by
/// descending score.
std::vector<analysis::CoarseTag> groupedMaxPool(const Taxonomy& taxonomy, std::span<const std::string> tagNames,
                                                std::span<const float> scores);

} // namespace tagscope::tags
