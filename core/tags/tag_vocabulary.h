// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace tagscope::tags {

/// A model's output tags in output order (one per line in a .txt file).
struct TagVocabulary {
    std::string name;              ///< e.g. "mtat_top50"
    std::vector<std::string> tags;

    std::optional<size_t> indexOf(const std::string& tag) const;
};

/// Loads a vocabulary file: one tag per line, blank lines and surrounding space ignored.
Result<TagVocabulary> loadTagVocabulary(const std::filesystem::path& path);

} // namespace tagscope::tags
