// SPDX-License-Identifier: GPL-3.0-or-later
// Checks that rewriting a file's tags left its audio alone: both files are decoded in full
// (every channel, libsndfile) and their samples compared exactly.
#pragma once

#include <filesystem>

#include "core/common/error.h"

namespace tagscope::tagfile {

/// Succeeds when `a` and `b` decode to the same rate, channel count, frame count and samples.
/// The error names `b` and says what differs (or why a file could not be decoded).
Result<void> verifySameAudio(const std::filesystem::path& a, const std::filesystem::path& b);

} // namespace tagscope::tagfile
