// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/find_command.h"

#include <cstdio>
#include <iostream>

#include "app/cli/catalog_support.h"
#include "core/catalog/path_text.h"
#include "core/tags/tag_vocabulary.h"

namespace tagscope::cli {

using nlohmann::json;

void FindCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("find", "Find catalogued tracks by tag, coarse group or path text");
    m_sub->add_option("--tag", m_filter.tag, "Fine tag, e.g. piano or \"piano (MTAT)\"");
    m_sub->add_option("--group", m_filter.group, "Coarse group of the taxonomy, e.g. keys, strings, electronic");
    m_sub->add_option("--min", m_filter.minScore, "Minimum score of the tag or group (default 0.5)")->check(CLI::Range(0.0, 1.0));
    m_sub->add_option("--text", m_filter.text, "Text the file path must contain (case-insensitive)");
    m_sub->add_option("--analysis-model", m_modelId, "Only analyses by this model id (default: the newest of any model)");
    m_sub->add_option("--limit", m_limit, "At most this many tracks (default: all)");
    m_sub->add_option("--top", m_top, "Top tags shown per track (default 5)");
    m_sub->add_flag("--json", m_json, "Print JSON instead of a table");
    addCatalogOption(m_sub, m_catalog);
}

int FindCommand::run(const GlobalOptions&) {
    auto cat = openCatalogOrReport(m_catalog);
    if (!cat) return kExitSomeFailed;
    auto library = cat->library(m_modelId);
    if (!library) {
        printError(library.error());
        return kExitSomeFailed;
    }
    auto hits = catalog::search(*library, m_filter);
    if (m_limit && hits.size() > m_limit) hits.resize(m_limit);
    if (m_json) {
        json tracks = json::array();
        for (const auto* e : hits) {
            json t = json::object();
            putPath(t, "path", e->track.path);
            t["score"] = catalog::filterScore(*e, m_filter);
            t["model"] = e->track.modelId;
            t["audio_hash"] = e->track.audioHash;
            json top = json::array();
            for (const auto& s : catalog::topTags(e->track, m_top))
                top.push_back({{"tag", s.name},
                               {"vocabulary", s.index < e->track.vocabularies.size() ? e->track.vocabularies[s.index] : ""},
                               {"score", s.score}});
            t["top_tags"] = top;
            json groups = json::array();
            for (size_t g = 0; g < e->groups.size() && g < 3; ++g)
                groups.push_back({{"group", e->groups[g].group}, {"score", e->groups[g].score}});
            t["groups"] = groups;
            tracks.push_back(std::move(t));
        }
        const json query = {{"tag", m_filter.tag}, {"group", m_filter.group}, {"min", m_filter.minScore}, {"text", m_filter.text}};
        const json doc = {{"schema_version", 1}, {"query", query}, {"catalogued", library->size()}, {"tracks", tracks}};
        std::cout << doc.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
        return kExitOk;
    }
    for (const auto* e : hits) {
        const auto names = tags::displayTagNames(e->track.tagNames, e->track.vocabularies);
        std::string top;
        for (const auto& s : catalog::topTags(e->track, m_top)) {
            char buf[200];
            std::snprintf(buf, sizeof buf, "%s%s %.2f", top.empty() ? "" : ", ",
                          s.index < names.size() ? names[s.index].c_str() : s.name.c_str(), double(s.score));
            top += buf;
        }
        std::printf("%.3f  %s\n       %s\n", double(catalog::filterScore(*e, m_filter)),
                    catalog::displayPath(e->track.path).c_str(), top.c_str());
    }
    std::printf("%zu of %zu catalogued track%s match\n", hits.size(), library->size(), library->size() == 1 ? "" : "s");
    return kExitOk;
}

} // namespace tagscope::cli
