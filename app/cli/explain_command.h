// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"

namespace tagscope::cli {

/// `tagscope-cli explain FILE --tag T [--tag T2 ...] [--png out.png]`: analyses one file and
/// prints the analysis with the explanations of each tag as JSON (the export schema);
/// optionally draws the spectrogram with the explanations as a PNG.
class ExplainCommand {
public:
    /// Registers the subcommand and its options on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs it; returns the exit code.
    int run(const GlobalOptions& global);

private:
    CLI::App* m_sub = nullptr;
    std::string m_file;
    std::vector<std::string> m_tags;
    std::string m_png;
    bool m_smooth = false;
    bool m_noFaithfulness = false;
    bool m_relevanceMaps = false;
    double m_segmentSeconds = 1.0;
    int m_k = 3;
    bool m_features = false;  ///< --features: musical explanations (explain_features.h)
};

} // namespace tagscope::cli
