// SPDX-License-Identifier: GPL-3.0-or-later
// `tagscope-cli train surrogate`: the transparent per-tag models over perceptual features.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace tagscope::cli {

/// Registers `surrogate` under the `train` subcommand; it runs from its parse callback and
/// ends the process through `finish(exitCode)`.
void registerSurrogateTrainCommand(CLI::App& train, std::function<void(int)> finish);

} // namespace tagscope::cli
