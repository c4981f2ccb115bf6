// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"

namespace tagscope::cli {

/// `tagscope-cli scan LIBRARY...`: analyses every audio file of the library folders into the
/// catalog, resumably: each finished track is committed on its own, so after Ctrl+C or kill -9
/// the next run continues where it stopped and analyses nothing twice. Unchanged files (same
/// size and mtime, analysis present) are skipped without decoding; changed files are decoded
/// and re-analysed unless their audio hash is already known (retagged or moved files).
class ScanCommand {
public:
    /// Registers the subcommand and its options on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs it; returns the exit code.
    int run(const GlobalOptions& global);

private:
    CLI::App* m_sub = nullptr;
    std::vector<std::string> m_roots;
    std::string m_catalog;
    std::string m_shard;
    bool m_keepMissing = false;
};

} // namespace tagscope::cli
