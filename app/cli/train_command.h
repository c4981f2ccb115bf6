// SPDX-License-Identifier: GPL-3.0-or-later
// `tagscope-cli train ...`: the noisy-student pipeline of the bundled model (corpus list,
// teacher cache, training with resume, evaluation, export of weights + model card).
#pragma once

#include <CLI/CLI.hpp>

namespace tagscope::cli {

/// Registers `train corpus|cache|run|eval|export` on `app`. Each subcommand runs from its
/// parse callback and ends the process with its exit code (so main needs one line only).
void registerTrainCommands(CLI::App& app);

} // namespace tagscope::cli
