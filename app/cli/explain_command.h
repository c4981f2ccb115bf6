// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"
#include "core/analysis/track_analysis.h"

namespace tagscope::cli {

/// `tagscope-cli explain FILE --tag T [--tag T2 ...] [--png out.png] [--table]`: analyses one
/// file, computes the occlusion of every tag once, then each tag's explanations and their
/// faithfulness curves; prints the analysis with the explanations as JSON (the export schema) or,
/// with --table, one line per tag and method (share of random orderings beaten, area between
/// curves, verdict, the method shown by default). Optionally draws a PNG.
/// The --table output: tab-separated, one line per tag and method, header first; "shown" marks
/// the method shown by default (the most faithful).
std::string faithfulnessTable(const analysis::TrackAnalysis& result,
                              const std::vector<analysis::TagExplanation>& explanations);

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
    bool m_occlusionAll = false;
    bool m_table = false;
    double m_segmentSeconds = 1.0;
    int m_k = 3;
    int m_orderings = 20;
    bool m_features = false;  ///< --features: musical explanations (explain_features.h)
};

} // namespace tagscope::cli
