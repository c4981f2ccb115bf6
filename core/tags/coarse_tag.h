// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace tagscope::tags {

/// Name of the vocabulary of a model's learned coarse outputs (a coarse head trained jointly
/// with the fine tags, Zhong et al. 2023): its tags are taxonomy group names, in output order.
inline constexpr const char* kLearnedGroupsVocabulary = "learned_groups";

/// A coarse tag (Zhong et al. 2023). Rule-based: score = max of its fine tags. Learned (the
/// model has an output for the group): score = that output.
struct CoarseTag {
    std::string group;
    float score = 0.0f;
    size_t evidenceIndex = 0;                ///< the fine tag that gave the max
    std::string evidenceTag;
    std::vector<size_t> members;             ///< fine tags of the group (output indices)
    bool learned = false;                    ///< score is the model's own output for the group
    /// Attention-based coarse heads: the fine tags the group attended to on this track (output
    /// index, mean attention weight over the chunks), strongest first, the few that matter.
    std::vector<std::pair<size_t, float>> relation;
};

} // namespace tagscope::tags
