// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tagfile/track_source.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/analysis/serialize.h"

namespace tagscope::tagfile {
namespace {

using nlohmann::json;

Result<TrackTags> fromRecord(const json& record, const std::string& source) {
    auto a = analysis::analysisFromJson(record, source);
    if (!a) return fail(a.error());
    std::string sha;
    if (record.contains("model") && record["model"].is_object() && record["model"].contains("sha256") &&
        record["model"]["sha256"].is_string())
        sha = record["model"]["sha256"].get<std::string>();
    return trackTagsFromAnalysis(*a, sha);
}

} // namespace

TrackTags trackTagsFromAnalysis(const analysis::TrackAnalysis& a, const std::string& modelSha256) {
    TrackTags t;
    t.file = a.file;
    t.modelId = a.modelId;
    t.modelSha256 = modelSha256;
    t.tagNames = a.tagNames;
    t.vocabularies = a.vocabularyOfTag;
    t.scores = a.trackScores;
    return t;
}

TrackTags trackTagsFromCatalog(const catalog::CatalogTrack& c) {
    TrackTags t;
    t.file = c.path;
    t.expectedSize = uint64_t(c.size);
    t.expectedMtimeNs = c.mtimeNs;
    t.modelId = c.modelId;
    t.modelSha256 = c.modelSha256;
    t.tagNames = c.tagNames;
    t.vocabularies = c.vocabularies;
    t.scores = c.scores;
    return t;
}

Result<std::vector<TrackTags>> loadTrackTagsJson(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Error::Kind::NotFound, path, "analysis file not found or unreadable");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    auto stamp = fileStamp(path);
    std::vector<TrackTags> out;
    auto add = [&](const json& record, const std::string& where) -> Result<void> {
        auto t = fromRecord(record, where);
        if (!t) return fail(t.error());
        if (stamp) t->analysedAtNs = stamp->second;
        out.push_back(std::move(*t));
        return {};
    };
    const json whole = json::parse(text, nullptr, false);
    if (!whole.is_discarded() && whole.is_object() && whole.contains("tracks")) {
        if (!whole["tracks"].is_array()) return fail(Error::Kind::InvalidInput, path, "\"tracks\" is not a list");
        for (size_t i = 0; i < whole["tracks"].size(); ++i)
            if (auto r = add(whole["tracks"][i], path.string() + " track " + std::to_string(i + 1)); !r) return fail(r.error());
        return out;
    }
    if (!whole.is_discarded() && whole.is_object()) {
        if (auto r = add(whole, path.string()); !r) return fail(r.error());
        return out;
    }
    std::istringstream lines(text);
    std::string line;
    for (size_t n = 1; std::getline(lines, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const json record = json::parse(line, nullptr, false);
        if (record.is_discarded())
            return fail(Error::Kind::InvalidInput, path, "line " + std::to_string(n) + " is not JSON (expected the output of 'tagscope-cli tag --json')");
        if (auto r = add(record, path.string() + ":" + std::to_string(n)); !r) return fail(r.error());
    }
    if (out.empty()) return fail(Error::Kind::InvalidInput, path, "no analysed track in the file");
    return out;
}

} // namespace tagscope::tagfile
