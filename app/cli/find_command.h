// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"
#include "core/catalog/track_filter.h"

namespace tagscope::cli {

/// `tagscope-cli find --tag piano --min 0.5` (or --group keys, --text word): lists catalogued
/// tracks that match, best first, as a table or --json. Reads the catalog only; no model needed.
class FindCommand {
public:
    /// Registers the subcommand and its options on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs it; returns the exit code (0 even when nothing matches).
    int run(const GlobalOptions& global);

private:
    CLI::App* m_sub = nullptr;
    catalog::TrackFilter m_filter;
    std::string m_catalog;
    std::string m_modelId;
    size_t m_limit = 0;
    size_t m_top = 5;
    bool m_json = false;
};

} // namespace tagscope::cli
