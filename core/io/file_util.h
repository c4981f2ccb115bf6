// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <string>

#include "core/common/error.h"

namespace tagscope::io {

/// Reads a whole (small) file into memory; errors name the file.
Result<std::string> readFileBytes(const std::filesystem::path& path);

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed, then renamed over
/// the target. The previous file is untouched if anything fails.
Result<void> writeFileAtomically(const std::filesystem::path& path, const std::string& bytes);

/// Lower-case hexadecimal SHA-256 of a file's contents.
Result<std::string> sha256File(const std::filesystem::path& path);

} // namespace tagscope::io
