// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tags/taxonomy.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace tagscope::tags {
namespace {

using nlohmann::json;

/// Output index of `member` among `tagNames`: an exact match, or for a "vocab:tag" member the
/// unqualified tag name.
std::optional<size_t> findMember(const std::string& member, std::span<const std::string> tagNames) {
    for (size_t i = 0; i < tagNames.size(); ++i)
        if (tagNames[i] == member) return i;
    if (const auto colon = member.find(':'); colon != std::string::npos) {
        const std::string bare = member.substr(colon + 1);
        for (size_t i = 0; i < tagNames.size(); ++i)
            if (tagNames[i] == bare) return i;
    }
    return std::nullopt;
}

Result<Taxonomy::Group> parseGroup(const json& g, size_t index, const std::filesystem::path& path) {
    const std::string where = "group " + std::to_string(index + 1);
    if (!g.is_object()) return fail(Error::Kind::InvalidInput, path, where + " is not a JSON object");
    Taxonomy::Group group;
    if (!g.contains("name") || !g["name"].is_string() || g["name"].get<std::string>().empty())
        return fail(Error::Kind::InvalidInput, path, where + " has no \"name\"");
    group.name = g["name"].get<std::string>();
    if (g.contains("kind")) {
        if (!g["kind"].is_string()) return fail(Error::Kind::InvalidInput, path, "group '" + group.name + "': \"kind\" must be a string");
        group.kind = g["kind"].get<std::string>();
    }
    if (!g.contains("members") || !g["members"].is_array() || g["members"].empty())
        return fail(Error::Kind::InvalidInput, path, "group '" + group.name + "' has no \"members\" list");
    for (const auto& m : g["members"]) {
        if (!m.is_string() || m.get<std::string>().empty())
            return fail(Error::Kind::InvalidInput, path, "group '" + group.name + "' has a member that is not a tag name");
        group.members.push_back(m.get<std::string>());
    }
    return group;
}

} // namespace

Result<Taxonomy> loadTaxonomy(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return fail(Error::Kind::NotFound, path, "taxonomy file not found");
    auto bytes = io::readFileBytes(path);
    if (!bytes) return fail(bytes.error());
    const json j = json::parse(*bytes, nullptr, false);
    if (j.is_discarded()) return fail(Error::Kind::InvalidInput, path, "taxonomy is not valid JSON");
    if (!j.is_object()) return fail(Error::Kind::InvalidInput, path, "taxonomy must be a JSON object");

    Taxonomy taxonomy;
    if (j.contains("vocabulary")) {
        if (!j["vocabulary"].is_string()) return fail(Error::Kind::InvalidInput, path, "\"vocabulary\" must be a string");
        taxonomy.vocabulary = j["vocabulary"].get<std::string>();
    }
    if (!j.contains("groups") || !j["groups"].is_array())
        return fail(Error::Kind::InvalidInput, path, "taxonomy has no \"groups\" list");
    std::set<std::string> names;
    for (size_t i = 0; i < j["groups"].size(); ++i) {
        auto group = parseGroup(j["groups"][i], i, path);
        if (!group) return fail(group.error());
        if (!names.insert(group->name).second)
            return fail(Error::Kind::InvalidInput, path, "group '" + group->name + "' is defined twice");
        taxonomy.groups.push_back(std::move(*group));
    }
    if (taxonomy.groups.empty()) return fail(Error::Kind::InvalidInput, path, "taxonomy has no groups");
    return taxonomy;
}

std::vector<analysis::CoarseTag> groupedMaxPool(const Taxonomy& taxonomy, std::span<const std::string> tagNames,
                                                std::span<const float> scores) {
    std::vector<analysis::CoarseTag> out;
    const size_t n = std::min(tagNames.size(), scores.size());
    const auto names = tagNames.first(n);
    for (const auto& group : taxonomy.groups) {
        std::vector<size_t> members;
        for (const auto& member : group.members)
            if (const auto i = findMember(member, names)) members.push_back(*i);
        if (members.empty()) continue;
        std::sort(members.begin(), members.end());
        members.erase(std::unique(members.begin(), members.end()), members.end());
        // NOTE: ties go to the lowest output index, so the evidence is deterministic.
        size_t best = members.front();
        for (size_t i : members)
            if (scores[i] > scores[best]) best = i;
        analysis::CoarseTag coarse;
        coarse.group = group.name;
        coarse.score = scores[best];
        coarse.evidenceIndex = best;
        coarse.evidenceTag = names[best];
        coarse.members = std::move(members);
        out.push_back(std::move(coarse));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
    return out;
}

} // namespace tagscope::tags
