// SPDX-License-Identifier: GPL-3.0-or-later
// JSON parsing for files a user hands us (model cards, taxonomies, safetensors headers): nesting
// depth is bounded before nlohmann-json sees the text, because copying or printing a value
// recurses once per level and a hostile file could nest a million arrays.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace tagscope::io {

/// Deepest nesting of arrays and objects accepted (real files stay under 10).
inline constexpr int kMaxJsonDepth = 128;

/// Deepest nesting of '[' and '{' in `text` outside strings (stops counting past `limit`).
int jsonNestingDepth(std::string_view text, int limit = kMaxJsonDepth + 1);

/// Parses `text`; `what` names the document in errors ("model card"), which also name `file`:
/// "<file>: model card is not valid JSON: ..." or "... is nested more than 128 levels deep".
Result<nlohmann::json> parseBoundedJson(std::string_view text, const std::filesystem::path& file,
                                        const std::string& what);

} // namespace tagscope::io
