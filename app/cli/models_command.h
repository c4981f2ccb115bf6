// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"

namespace tagscope::cli {

/// `tagscope-cli models list` (installed model cards) and
/// `tagscope-cli models import CHECKPOINT [--arch A] [--dataset D] [--tags FILE] [--name ID] [--out DIR]`.
class ModelsCommand {
public:
    /// Registers the subcommands and their options on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs the parsed subcommand; returns the exit code.
    int run(const GlobalOptions& global);

private:
    int runList() const;
    int runImport() const;

    CLI::App* m_sub = nullptr;
    CLI::App* m_list = nullptr;
    CLI::App* m_import = nullptr;
    bool m_listJson = false;
    std::string m_checkpoint, m_arch, m_dataset, m_tags, m_name, m_out;
};

} // namespace tagscope::cli
