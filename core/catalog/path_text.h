// SPDX-License-Identifier: GPL-3.0-or-later
// File names as text without loss. On Linux a path is a byte string that need not be valid
// UTF-8; JSON and the GUI need UTF-8. These helpers give a readable form (invalid bytes become
// U+FFFD) and an exact, reversible form (hexadecimal bytes) — the documented escaping of every
// JSON/JSONL/CSV output and of the catalog.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tagscope::catalog {

/// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view bytes);

/// `bytes` with each byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD.
std::string toValidUtf8(std::string_view bytes);

/// Lower-case hexadecimal of every byte ("2f6d75..."); fromHex() reverses it.
std::string toHex(std::string_view bytes);
/// Bytes of a hexadecimal string; empty on malformed input.
std::string fromHex(std::string_view hex);

} // namespace tagscope::catalog
