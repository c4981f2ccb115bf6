// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"

namespace tagscope::cli {

/// `tagscope-cli tag FILES|FOLDERS...`: tags every audio file (folders recursively) with one
/// model and prints a table, JSON (--json, the export schema), JSON Lines (--jsonl, one record
/// per track as soon as it is done, flushed) or CSV (--csv) on stdout. The next file is decoded
/// on a second thread while the model runs on the current one. Ctrl+C stops after flushing
/// everything already done (--json then prints the finished tracks with "interrupted": true).
/// With --catalog PATH every analysis is also stored in that catalog, as `scan` stores it, so a
/// later scan (or write --catalog) finds the tracks analysed.
class TagCommand {
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
    bool m_csv = false;
    bool m_jsonl = false;
    size_t m_top = 0;
    CLI::Option* m_topOption = nullptr;
    float m_threshold = 0.0f;
    std::string m_taggramDir;
    std::string m_catalog;               ///< --catalog: also store each analysis there ("" = no)
};

} // namespace tagscope::cli
