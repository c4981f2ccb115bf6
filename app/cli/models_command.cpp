// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/models_command.h"

#include <cstdio>
#include <iostream>

#include "core/cards/model_card.h"
#include "core/model/model_import.h"

namespace tagscope::cli {

void ModelsCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("models", "List or import models");
    m_sub->require_subcommand(1);
    m_list = m_sub->add_subcommand("list", "List installed models (model cards)");
    m_list->add_flag("--json", m_listJson, "Print the cards as JSON");
    m_import = m_sub->add_subcommand("import", "Import an upstream checkpoint (.pth, .ckpt) as a model");
    m_import->add_option("checkpoint", m_checkpoint, "Checkpoint file")->required();
    m_import->add_option("--arch", m_arch, "Architecture (default: inferred from the weights)")
        ->check(CLI::IsMember({"fcn", "musicnn", "crnn", "cnnsa", "mtt"}));
    m_import->add_option("--dataset", m_dataset, "Training dataset (default: inferred from the file name)")
        ->check(CLI::IsMember({"mtat", "msd", "jamendo", "msd_cals"}));
    m_import->add_option("--tags", m_tags, "Tag list, one per line in output order (default: <vocabulary>.txt near the checkpoint)");
    m_import->add_option("--name", m_name, "Model id (default: <dataset>-<arch>)");
    m_import->add_option("--out", m_out, "Folder to write the model to (default: $XDG_DATA_HOME/tagscope/models, else ~/.local/share/tagscope/models)");
}

int ModelsCommand::run(const GlobalOptions&) {
    if (m_list->parsed()) return runList();
    return runImport();
}

int ModelsCommand::runList() const {
    std::vector<Error> problems;
    const auto dirs = cards::defaultModelDirectories();
    const auto cards = cards::discoverModelCards(dirs, &problems);
    for (const auto& p : problems) printError(p);
    if (m_listJson) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& c : cards) {
            auto j = c.toJson();
            j["card_path"] = c.cardPath.string();
            for (auto& v : j["vocabularies"]) v.erase("tags");
            all.push_back(std::move(j));
        }
        std::cout << all.dump(2) << std::endl;
    } else if (cards.empty()) {
        std::string searched;
        for (const auto& d : dirs) searched += "  " + d.string() + "\n";
        std::printf("No models installed. Searched:\n%sImport one with: tagscope-cli models import <checkpoint>\n",
                    searched.c_str());
    } else {
        std::printf("%-28s %-8s %-6s %-16s %s\n", "ID", "ARCH", "TAGS", "VOCABULARY", "CARD");
        for (const auto& c : cards) {
            std::string vocab;
            for (const auto& v : c.vocabularies) vocab += (vocab.empty() ? "" : "+") + v.name;
            std::printf("%-28s %-8s %-6zu %-16s %s\n", c.id.c_str(), c.architecture.c_str(), c.tagCount(),
                        vocab.c_str(), c.cardPath.string().c_str());
        }
    }
    return problems.empty() ? kExitOk : kExitSomeFailed;
}

int ModelsCommand::runImport() const {
    model::ImportOptions options;
    options.architecture = m_arch;
    options.dataset = m_dataset;
    options.tagsFile = m_tags;
    options.id = m_name;
    options.outputDirectory = m_out;
    auto result = model::importCheckpoint(m_checkpoint, options);
    if (!result) {
        printError(result.error());
        return kExitSomeFailed;
    }
    const auto& card = result->card;
    std::printf("imported %s (%s, %zu tags) -> %s\n", card.id.c_str(), card.architecture.c_str(), card.tagCount(),
                card.cardPath.string().c_str());
    return kExitOk;
}

} // namespace tagscope::cli
