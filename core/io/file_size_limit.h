// SPDX-License-Identifier: GPL-3.0-or-later
// Refusing files far larger than their format can be, before reading them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/common/error.h"

namespace tagscope::io {

/// An error when `path` is larger than `maxBytes` ("is N bytes, larger than a <what> can be");
/// success otherwise (a missing file is left for the reader to report).
Result<void> checkFileSizeAtMost(const std::filesystem::path& path, uintmax_t maxBytes, const std::string& what);

} // namespace tagscope::io
