// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tagfile/write_plan.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace tagscope::tagfile {
namespace {

namespace fs = std::filesystem;

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool isMember(const tags::Taxonomy::Group& g, const std::string& tag, const std::string& vocabulary) {
    for (const auto& m : g.members)
        if (m == tag || (!vocabulary.empty() && m == vocabulary + ":" + tag)) return true;
    return false;
}

bool contains(const std::vector<std::string>& values, const std::string& v) {
    return std::any_of(values.begin(), values.end(), [&](const std::string& x) { return sameValue(x, v); });
}

/// Our values for one field, best first, with their scores.
std::vector<std::pair<std::string, float>> proposals(const TrackTags& track, const tags::Taxonomy* taxonomy,
                                                     const WriteOptions& options, const std::string& field) {
    std::vector<size_t> order(track.tagNames.size());
    std::iota(order.begin(), order.end(), size_t(0));
    auto score = [&](size_t i) { return i < track.scores.size() ? track.scores[i] : 0.0f; };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score(a) > score(b); });
    std::vector<std::pair<std::string, float>> out;
    for (size_t i : order) {
        if (out.size() >= options.top || !(score(i) >= options.minScore)) break;
        const std::string vocab = i < track.vocabularies.size() ? track.vocabularies[i] : "";
        const FieldAssignment a = classifyTag(track.tagNames[i], vocab, taxonomy);
        if (a.field != field || a.value.empty()) continue;
        const bool dup = std::any_of(out.begin(), out.end(), [&](const auto& p) { return sameValue(p.first, a.value); });
        if (!dup) out.emplace_back(a.value, score(i));
    }
    return out;
}

FieldChange plannedField(const FilePlan& plan, const std::string& field,
                         std::vector<std::pair<std::string, float>> ours, WritePolicy policy) {
    FieldChange c;
    c.field = field;
    if (auto it = plan.fields.find(field); it != plan.fields.end()) c.before = it->second;
    if (policy == WritePolicy::Append) c.after = c.before;
    for (const auto& [value, score] : ours) {
        if (!contains(c.after, value)) c.after.push_back(value);
        c.proposed.emplace_back(value, score);
    }
    return c;
}

/// Why `track.file` cannot be written (permissions), or "" when it can.
std::string skipReason(const TrackTags& track) {
    struct stat st {};
    if (::stat(track.file.c_str(), &st) != 0) return "file not found";
    if ((st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0 || ::access(track.file.c_str(), W_OK) != 0)
        return "file is read-only: skipped (make it writable to tag it)";
    const fs::path dir = track.file.parent_path().empty() ? fs::path(".") : track.file.parent_path();
    if (::access(dir.c_str(), W_OK) != 0)
        return "its folder is read-only: skipped (a temporary copy is written beside the file)";
    return {};
}

/// Why the analysis may no longer describe `track.file`, or "".
std::string staleReason(const TrackTags& track, uint64_t size, int64_t mtimeNs) {
    if (track.expectedSize && *track.expectedSize != size)
        return "changed since it was analysed (" + std::to_string(size) + " bytes now, " +
               std::to_string(*track.expectedSize) + " then): skipped, analyse it again first";
    if (track.expectedMtimeNs && *track.expectedMtimeNs != mtimeNs)
        return "changed since it was analysed (modification time differs): skipped, analyse it again first";
    if (track.analysedAtNs && mtimeNs > *track.analysedAtNs)
        return "modified after it was analysed: skipped, analyse it again first";
    return {};
}

} // namespace

bool sameValue(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

FieldAssignment classifyTag(const std::string& tag, const std::string& vocabulary, const tags::Taxonomy* taxonomy) {
    if (startsWith(tag, "genre---")) return {kGenreField, tag.substr(8)};
    if (startsWith(tag, "mood/theme---")) return {kMoodField, tag.substr(13)};
    if (tag.find("---") != std::string::npos) return {};
    if (!taxonomy) return {};
    bool genre = false, mood = false;
    for (const auto& g : taxonomy->groups) {
        if (!isMember(g, tag, vocabulary)) continue;
        if (g.kind == "instrument" || g.kind == "voice" || g.kind == "arrangement") return {};
        genre = genre || g.kind == "genre";
        mood = mood || g.kind == "mood";
    }
    if (genre) return {kGenreField, tag};
    if (mood) return {kMoodField, tag};
    return {};
}

bool FilePlan::hasChanges() const {
    return skipReason.empty() && std::any_of(changes.begin(), changes.end(), [](const auto& c) { return c.changed(); });
}

FieldMap FilePlan::changedFields() const {
    FieldMap out;
    for (const auto& c : changes)
        if (c.changed()) out[c.field] = c.after;
    return out;
}

Result<std::pair<uint64_t, int64_t>> fileStamp(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return fail(Error::Kind::NotFound, path, "file not found");
    return std::pair<uint64_t, int64_t>{uint64_t(st.st_size),
                                        int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::string tagscopeFieldValue(const TrackTags& track, size_t maxScores) {
    std::vector<size_t> order(std::min(track.tagNames.size(), track.scores.size()));
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return track.scores[a] > track.scores[b]; });
    nlohmann::ordered_json scores = nlohmann::ordered_json::object();
    for (size_t k = 0; k < order.size() && k < maxScores; ++k) {
        const size_t i = order[k];
        if (!std::isfinite(track.scores[i])) continue;
        const std::string vocab = i < track.vocabularies.size() ? track.vocabularies[i] : "";
        scores[vocab.empty() ? track.tagNames[i] : vocab + ":" + track.tagNames[i]] =
            std::round(double(track.scores[i]) * 1000.0) / 1000.0;
    }
    nlohmann::ordered_json j = {{"v", 1}, {"model", track.modelId}};
    if (!track.modelSha256.empty()) j["sha256"] = track.modelSha256;
    j["scores"] = std::move(scores);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

FilePlan planWrite(const TrackTags& track, const tags::Taxonomy* taxonomy, const WriteOptions& options) {
    FilePlan plan;
    plan.file = track.file;
    if (!isSupportedTagFile(track.file)) {
        plan.skipReason = "unsupported container: tags are written only into FLAC, Ogg Vorbis, Opus, MP3, WAV and AIFF";
        return plan;
    }
    auto stamp = fileStamp(track.file);
    if (!stamp) {
        plan.skipReason = "file not found";
        return plan;
    }
    plan.size = stamp->first;
    plan.mtimeNs = stamp->second;
    auto contents = readTags(track.file);
    if (!contents) {
        const std::string& m = contents.error().message;
        const std::string prefix = track.file.string() + ": ";
        plan.skipReason = startsWith(m, prefix) ? m.substr(prefix.size()) : m;
        return plan;
    }
    plan.format = contents->format;
    plan.fields = std::move(contents->fields);
    if (!contents->unkeptFields.empty()) {
        std::string names;
        for (const auto& f : contents->unkeptFields) names += (names.empty() ? "" : ", ") + f;
        plan.skipReason = "holds Vorbis comments TagLib cannot keep (" + names +
                          "); writing would drop them, so the file is left as it is";
        return plan;
    }
    plan.changes.push_back(plannedField(plan, kGenreField, proposals(track, taxonomy, options, kGenreField), options.policy));
    plan.changes.push_back(plannedField(plan, kMoodField, proposals(track, taxonomy, options, kMoodField), options.policy));
    FieldChange t;
    t.field = kTagscopeField;
    if (auto it = plan.fields.find(kTagscopeField); it != plan.fields.end()) t.before = it->second;
    t.after = {tagscopeFieldValue(track, options.tagscopeScores)};
    plan.changes.push_back(std::move(t));
    // NOTE: a file that already holds exactly the planned fields is reported unchanged even when
    // it was modified after the analysis (e.g. by an earlier, interrupted run of the same batch).
    plan.skipReason = skipReason(track);
    if (plan.skipReason.empty() && plan.hasChanges()) plan.skipReason = staleReason(track, plan.size, plan.mtimeNs);
    return plan;
}

std::string formatDiff(const FilePlan& plan) {
    std::string out = plan.file.string() + (plan.format.empty() ? "" : " (" + plan.format + ")") + "\n";
    if (!plan.skipReason.empty()) return out + "  skipped: " + plan.skipReason + "\n";
    auto show = [](const std::vector<std::string>& v) { return v.empty() ? std::string("(none)") : joinValues(v); };
    for (const auto& c : plan.changes) {
        if (c.changed())
            out += "  " + c.field + ": " + show(c.before) + " -> " + show(c.after) + "\n";
        else
            out += "  " + c.field + ": " + show(c.before) + " (unchanged)\n";
    }
    for (const auto& [field, values] : plan.fields) {
        if (field == kGenreField || field == kMoodField || field == kTagscopeField) continue;
        out += "  " + field + ": " + show(values) + " (kept)\n";
    }
    return out;
}

} // namespace tagscope::tagfile
