// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tags/taxonomy.h"
#include "core/tags/taxonomy_parser.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/io/bounded_json.h"
#include "core/io/file_size_limit.h"
#include "core/io/file_util.h"

namespace tagscope::tags {
namespace {

using nlohmann::json;

/// Output indices of `member` among `tagNames`. A bare name matches every tag of that name (in a
/// multi-vocabulary model, "guitar" pools MTAT's and Jamendo's guitar). A "vocab:tag" member
/// matches only that vocabulary's tag when `vocabularyOfTag` is known, else the bare name.
std::vector<size_t> findMember(const std::string& member, std::span<const std::string> tagNames,
                               std::span<const std::string> vocabularyOfTag) {
    std::vector<size_t> found;
    for (size_t i = 0; i < tagNames.size(); ++i)
        if (tagNames[i] == member) found.push_back(i);
    if (!found.empty()) return found;
    if (const auto colon = member.find(':'); colon != std::string::npos) {
        const std::string vocabulary = member.substr(0, colon), bare = member.substr(colon + 1);
        const bool qualified = vocabularyOfTag.size() == tagNames.size();
        for (size_t i = 0; i < tagNames.size(); ++i)
            if (tagNames[i] == bare && (!qualified || vocabularyOfTag[i] == vocabulary)) found.push_back(i);
    }
    return found;
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
    if (auto size = io::checkFileSizeAtMost(path, kMaxTaxonomyBytes, "taxonomy"); !size) return fail(size.error());
    auto bytes = io::readFileBytes(path);
    if (!bytes) return fail(bytes.error());
    return parseTaxonomy(*bytes, path);
}

Result<Taxonomy> parseTaxonomy(std::string_view text, const std::filesystem::path& path) {
    auto parsed = io::parseBoundedJson(text, path, "taxonomy");
    if (!parsed) return fail(parsed.error());
    const json& j = *parsed;
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

std::vector<ResolvedGroup> resolveGroups(const Taxonomy& taxonomy, std::span<const std::string> tagNames,
                                         std::span<const std::string> vocabularyOfTag) {
    std::vector<ResolvedGroup> out;
    for (size_t g = 0; g < taxonomy.groups.size(); ++g) {
        std::vector<size_t> members;
        for (const auto& member : taxonomy.groups[g].members)
            for (size_t i : findMember(member, tagNames, vocabularyOfTag)) members.push_back(i);
        if (members.empty()) continue;
        std::sort(members.begin(), members.end());
        members.erase(std::unique(members.begin(), members.end()), members.end());
        out.push_back({g, std::move(members)});
    }
    return out;
}

std::vector<CoarseTag> groupedMaxPool(const Taxonomy& taxonomy, std::span<const std::string> tagNames,
                                                std::span<const float> scores,
                                                std::span<const std::string> vocabularyOfTag) {
    std::vector<CoarseTag> out;
    const size_t n = std::min(tagNames.size(), scores.size());
    const auto names = tagNames.first(n);
    for (auto& [groupIndex, members] : resolveGroups(taxonomy, names, vocabularyOfTag)) {
        const auto& group = taxonomy.groups[groupIndex];
        // NOTE: ties go to the lowest output index, so the evidence is deterministic.
        size_t best = members.front();
        for (size_t i : members)
            if (scores[i] > scores[best]) best = i;
        CoarseTag coarse;
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

Taxonomy mergeTaxonomies(std::span<const Taxonomy> taxonomies) {
    Taxonomy merged;
    for (const auto& t : taxonomies) {
        if (t.vocabulary.empty()) continue;
        merged.vocabulary += (merged.vocabulary.empty() ? "" : "+") + t.vocabulary;
    }
    for (const auto& t : taxonomies)
        for (const auto& g : t.groups) {
            auto same = std::find_if(merged.groups.begin(), merged.groups.end(),
                                     [&](const Taxonomy::Group& m) { return m.name == g.name; });
            if (same == merged.groups.end()) {
                merged.groups.push_back({g.name, g.kind, {}});
                same = std::prev(merged.groups.end());
            }
            for (const auto& member : g.members)
                if (std::find(same->members.begin(), same->members.end(), member) == same->members.end())
                    same->members.push_back(member);
        }
    return merged;
}

Result<void> saveTaxonomy(const Taxonomy& taxonomy, const std::filesystem::path& path, const std::string& description) {
    json j;
    j["vocabulary"] = taxonomy.vocabulary;
    if (!description.empty()) j["description"] = description;
    j["groups"] = json::array();
    for (const auto& g : taxonomy.groups) {
        json group{{"name", g.name}, {"members", g.members}};
        if (!g.kind.empty()) group["kind"] = g.kind;
        j["groups"].push_back(std::move(group));
    }
    return io::writeFileAtomically(path, j.dump(2) + "\n");
}

} // namespace tagscope::tags
