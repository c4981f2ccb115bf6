// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"

namespace tagscope::cli {

/// `tagscope-cli features FILES|FOLDERS...`: the perceptual features of every audio file (tempo,
/// key, loudness, spectral descriptors, harmony ...) per track and per segment, as a table or
/// JSON (--json). One decode per file (runAnalyzers). Needs no model. `--catalog` lists the
/// features with unit, range and method.
class FeaturesCommand {
public:
    /// Registers the subcommand and its options on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs it; returns the exit code.
    int run(const GlobalOptions& global);

private:
    CLI::App* m_sub = nullptr;
    std::vector<std::string> m_inputs;
    bool m_json = false;
    bool m_segments = false;
    bool m_catalog = false;
    double m_segmentSeconds = 5.0;
};

} // namespace tagscope::cli
