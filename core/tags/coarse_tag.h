// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tagscope::tags {

/// A coarse tag (Zhong et al. 2023 grouped max-pooling): score = max of its fine tags.
struct CoarseTag {
    std::string group;
    float score = 0.0f;
    size_t evidenceIndex = 0;                ///< the fine tag that gave the max
    std::string evidenceTag;
    std::vector<size_t> members;             ///< fine tags of the group (output indices)
};

} // namespace tagscope::tags
