// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"
#include "core/analysis/model_comparison.h"

namespace tagscope::cli {

/// The table of one comparison: header lines (models, rank correlation, evidence overlap), then
/// one tab-separated row per aligned tag (name, kind, score of A, score of B, overlap).
std::string comparisonTable(const std::string& file, const analysis::ModelComparison& comparison, size_t top);

/// `tagscope-cli compare --model A --model B FILES...`: analyses each file with both models,
/// aligns their tags across vocabularies (same tag name or same taxonomy group), and prints per
/// tag both scores, the Spearman rank correlation and the overlap of their evidence segments
/// (occlusion) as a table or JSON (--json). The same analysis::compareAnalyses() as the GUI.
class CompareCommand {
public:
    /// Registers the subcommand and its options on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs it; returns the exit code.
    int run(const GlobalOptions& global);

private:
    CLI::App* m_sub = nullptr;
    std::vector<std::string> m_models;
    std::vector<std::string> m_files;
    bool m_json = false;
    bool m_noEvidence = false;
    double m_segmentSeconds = 1.0;
    size_t m_top = 20;
};

} // namespace tagscope::cli
