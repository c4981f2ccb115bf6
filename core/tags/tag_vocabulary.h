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

/// A short label of a vocabulary for users: "mtat_top50" -> "MTAT", "msd_top50" -> "MSD",
/// "jamendo_top50" -> "Jamendo"; other names up to their first '_'.
std::string vocabularyLabel(const std::string& vocabulary);

/// Tag names as users should read them. MTG-Jamendo's category prefix moves behind the name
/// ("genre---ambient" -> "ambient (genre)"). A model with several vocabularies (the bundled
/// student predicts MTAT, MSD and Jamendo tags, several named "guitar") gets the vocabulary on
/// every name: "guitar (MTAT)", "ambient (Jamendo genre)". `vocabularyOfTag` holds one
/// vocabulary name per tag (may be empty).
std::vector<std::string> displayTagNames(const std::vector<std::string>& names,
                                         const std::vector<std::string>& vocabularyOfTag);

} // namespace tagscope::tags
