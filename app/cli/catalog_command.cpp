// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/catalog_command.h"

#include <cstdio>

#include "app/cli/catalog_support.h"
#include "core/catalog/path_text.h"

namespace tagscope::cli {

void CatalogCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("catalog", "Manage catalogs: merge the catalogs of shards, show what one holds");
    m_sub->require_subcommand(1);
    m_merge = m_sub->add_subcommand("merge", "Copy the tracks and analyses of catalogs into one (the newer file wins per path)");
    m_merge->add_option("sources", m_sources, "Catalog files to merge")->required()->check(CLI::ExistingFile);
    m_merge->add_option("--into", m_into, "Catalog to merge into (created when missing)")->required();
    m_info = m_sub->add_subcommand("info", "Print the catalog's path, schema version and counts");
    addCatalogOption(m_info, m_catalog);
}

int CatalogCommand::run(const GlobalOptions&) {
    if (m_merge->parsed()) {
        auto into = openCatalogOrReport(m_into);
        if (!into) return kExitSomeFailed;
        bool anyFailed = false;
        for (const auto& source : m_sources) {
            auto stats = into->mergeFrom(source);
            if (!stats) {
                printError(stats.error());
                anyFailed = true;
                continue;
            }
            std::printf("merged %s: %zu tracks, %zu new analyses\n", catalog::displayPath(source).c_str(), stats->tracks,
                        stats->analyses);
        }
        auto tracks = into->tracks();
        if (tracks) std::printf("%s now holds %zu tracks\n", catalog::displayPath(into->file()).c_str(), tracks->size());
        return anyFailed ? kExitSomeFailed : kExitOk;
    }
    auto cat = openCatalogOrReport(m_catalog);
    if (!cat) return kExitSomeFailed;
    auto tracks = cat->tracks();
    auto analysed = cat->tracksWithLatestAnalysis();
    if (!tracks || !analysed) {
        printError(!tracks ? tracks.error() : analysed.error());
        return kExitSomeFailed;
    }
    std::printf("catalog: %s\nschema version: %d\ntracks: %zu (%zu with an analysis)\n",
                catalog::displayPath(cat->file()).c_str(), cat->schemaVersion(), tracks->size(), analysed->size());
    return kExitOk;
}

} // namespace tagscope::cli
