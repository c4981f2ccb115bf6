// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"

namespace tagscope::cli {

/// `tagscope-cli catalog merge A.sqlite B.sqlite... --into C.sqlite` (combine the catalogs of
/// shards or machines) and `tagscope-cli catalog info` (where the catalog is, what it holds).
class CatalogCommand {
public:
    /// Registers the subcommand and its own subcommands on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs it; returns the exit code.
    int run(const GlobalOptions& global);

private:
    CLI::App* m_sub = nullptr;
    CLI::App* m_merge = nullptr;
    CLI::App* m_info = nullptr;
    std::vector<std::string> m_sources;
    std::string m_into;
    std::string m_catalog;
};

} // namespace tagscope::cli
