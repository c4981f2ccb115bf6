// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"
#include "core/catalog/catalog.h"

namespace tagscope::cli {

/// `tagscope-cli write`: writes analysed tags into the audio files (GENRE, MOOD, TAGSCOPE).
/// The analyses come from --from-json FILE (the output of `tag --json`) or from a catalog
/// (--catalog PATH, or the default catalog when --from-json is not given; --model-id or the
/// global --model picks a model's analyses, else each file's newest).
/// --dry-run (the default) prints a per-file diff; --apply writes safely and keeps a journal;
/// --undo JOURNAL puts the old fields back.
class WriteCommand {
public:
    /// Registers the subcommand and its options on `app`.
    void add(CLI::App& app);
    bool parsed() const { return m_sub && m_sub->parsed(); }
    /// Runs it; returns the exit code.
    int run(const GlobalOptions& global);

private:
    int runUndo();
    /// After a file was (re)written: its catalog row follows the new size and mtime (the audio,
    /// hence its hash and analyses, is unchanged), so the next scan does not read it again.
    void updateCatalogRow(catalog::Catalog* cat, const std::filesystem::path& file) const;
    CLI::App* m_sub = nullptr;
    std::vector<std::string> m_inputs;
    std::string m_fromJson;
    std::string m_catalog;      ///< --catalog: the analyses come from (and rows are updated in) it
    std::string m_model;        ///< --model-id: only analyses by this model (catalog source)
    std::string m_undo;
    std::string m_journal;
    std::string m_policy = "append";
    bool m_dryRun = false;
    bool m_apply = false;
    float m_min = 0.5f;
    size_t m_top = 5;
};

} // namespace tagscope::cli
