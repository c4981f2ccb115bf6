// SPDX-License-Identifier: GPL-3.0-or-later
// Taxonomy parsing from memory (what loadTaxonomy uses, and what the fuzzer feeds).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/common/error.h"
#include "core/tags/taxonomy.h"

namespace tagscope::tags {

/// Largest taxonomy file read (real ones are a few kB).
inline constexpr uintmax_t kMaxTaxonomyBytes = 16u << 20;

/// Parses taxonomy JSON already in memory; `path` names it in errors.
Result<Taxonomy> parseTaxonomy(std::string_view text, const std::filesystem::path& path);

} // namespace tagscope::tags
