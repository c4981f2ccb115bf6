// SPDX-License-Identifier: GPL-3.0-or-later
// Model card parsing from memory (what loadModelCard uses, and what the fuzzer feeds).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/common/error.h"
#include "core/cards/model_card.h"

namespace tagscope::cards {

/// Largest card file read (real cards are a few kB; a bigger file is not a card).
inline constexpr uintmax_t kMaxModelCardBytes = 16u << 20;

/// Validates card JSON already in memory; `path` is where the card lives (relative paths in it
/// are resolved against its folder, and vocabulary files it names are read from there). Numbers
/// are range-checked before conversion and nesting is bounded, so no input is undefined behaviour.
Result<ModelCard> parseModelCard(std::string_view text, const std::filesystem::path& path);

} // namespace tagscope::cards
