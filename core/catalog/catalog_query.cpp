// SPDX-License-Identifier: GPL-3.0-or-later
// Catalog reads: analyses back into TrackAnalysis values, the track list with latest scores.
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/catalog/catalog.h"
#include "core/catalog/catalog_impl.h"

namespace tagscope::catalog {
namespace fs = std::filesystem;
using detail::Statement;
using nlohmann::json;

namespace {

template <class T>
std::vector<T> unpack(const std::string& bytes) {
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
    return v;
}

std::vector<std::string> strings(const std::string& text) {
    std::vector<std::string> out;
    const json j = json::parse(text, nullptr, false);
    if (j.is_array())
        for (const auto& s : j)
            if (s.is_string()) out.push_back(s.get<std::string>());
    return out;
}

std::vector<analysis::CoarseTag> hierarchy(const std::string& text) {
    std::vector<analysis::CoarseTag> out;
    const json j = json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& c : j) {
        if (!c.is_object()) continue;
        analysis::CoarseTag t;
        t.group = c.value("group", "");
        t.score = c.value("score", 0.0f);
        t.evidenceIndex = c.value("evidence_index", size_t(0));
        t.evidenceTag = c.value("evidence_tag", "");
        if (c.contains("members") && c["members"].is_array())
            for (const auto& m : c["members"])
                if (m.is_number_unsigned()) t.members.push_back(m.get<size_t>());
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace

Result<const std::pair<std::vector<std::string>, std::vector<std::string>>*> Catalog::Impl::model(const std::string& sha) const {
    if (auto it = models.find(sha); it != models.end()) return &it->second;
    Statement q(db, "SELECT tag_names, vocabularies FROM models WHERE sha256 = ?1");
    q.bind(1, sha);
    auto row = q.step();
    if (!row) return fail(row.error());
    if (!*row) return fail(Error::Kind::InvalidInput, file, "the catalog has no model " + sha);
    auto& entry = models[sha];
    entry.first = strings(q.text(0));
    entry.second = strings(q.text(1));
    entry.second.resize(entry.first.size());
    return &entry;
}

Result<std::vector<float>> Catalog::Impl::scores(int64_t id) const {
    Statement q(db, "SELECT tag_index, score FROM track_scores WHERE analysis_id = ?1 ORDER BY tag_index");
    q.bind(1, id);
    std::vector<float> out;
    for (;;) {
        auto row = q.step();
        if (!row) return fail(row.error());
        if (!*row) break;
        const auto i = size_t(q.int64(0));
        if (i >= out.size()) out.resize(i + 1, 0.0f);
        out[i] = float(q.real(1));
    }
    return out;
}

Result<analysis::TrackAnalysis> Catalog::Impl::loadById(int64_t id) const {
    Statement q(db, "SELECT a.model_sha256, m.id, a.sample_rate, a.duration_seconds, a.chunk_seconds, a.hop_seconds, "
                    "a.hierarchy, a.warnings FROM analyses a JOIN models m ON m.sha256 = a.model_sha256 WHERE a.id = ?1");
    q.bind(1, id);
    auto row = q.step();
    if (!row) return fail(row.error());
    if (!*row) return fail(Error::Kind::NotFound, file, "analysis " + std::to_string(id) + " is missing");
    analysis::TrackAnalysis a;
    auto m = model(q.text(0));
    if (!m) return fail(m.error());
    a.modelId = q.text(1);
    a.tagNames = (*m)->first;
    a.vocabularyOfTag = (*m)->second;
    a.sampleRate = int(q.int64(2));
    a.durationSeconds = q.real(3);
    a.chunkSeconds = q.real(4);
    a.hopSeconds = q.real(5);
    a.hierarchy = hierarchy(q.text(6));
    a.warnings = strings(q.text(7));
    auto s = scores(id);
    if (!s) return fail(s.error());
    a.trackScores = std::move(*s);
    a.trackScores.resize(a.tagNames.size(), 0.0f);
    Statement t(db, "SELECT tag_count, chunk_start, chunk_end, probs FROM taggrams WHERE analysis_id = ?1");
    t.bind(1, id);
    auto trow = t.step();
    if (!trow) return fail(trow.error());
    if (*trow) {
        a.taggram.tagCount = size_t(t.int64(0));
        a.taggram.chunkStartSeconds = unpack<double>(t.blob(1));
        a.taggram.chunkEndSeconds = unpack<double>(t.blob(2));
        a.taggram.values = unpack<float>(t.blob(3));
        const size_t chunks = a.taggram.chunkStartSeconds.size();
        if (a.taggram.chunkEndSeconds.size() != chunks || a.taggram.values.size() != chunks * a.taggram.tagCount)
            return fail(Error::Kind::InvalidInput, file, "the stored taggram of analysis " + std::to_string(id) + " is damaged");
    }
    return a;
}

Result<std::optional<analysis::TrackAnalysis>> Catalog::loadAnalysis(const AnalysisKey& key) const {
    auto id = m_impl->analysisId(key);
    if (!id) return fail(id.error());
    if (*id == 0) return std::optional<analysis::TrackAnalysis>{};
    auto a = m_impl->loadById(*id);
    if (!a) return fail(a.error());
    return std::optional<analysis::TrackAnalysis>(std::move(*a));
}

Result<std::optional<analysis::TrackAnalysis>> Catalog::latestAnalysis(const fs::path& path, const std::string& modelId) const {
    Statement q(m_impl->db, "SELECT a.id FROM tracks t JOIN analyses a ON a.audio_hash = t.audio_hash "
                            "JOIN models m ON m.sha256 = a.model_sha256 WHERE t.path_bytes = ?1 AND (?2 = '' OR m.id = ?2) "
                            "ORDER BY a.created_ns DESC, a.id DESC LIMIT 1");
    const std::string bytes = detail::pathBytes(path);
    q.bindBlob(1, bytes.data(), bytes.size()).bind(2, modelId);
    auto row = q.step();
    if (!row) return fail(row.error());
    if (!*row) return std::optional<analysis::TrackAnalysis>{};
    auto a = m_impl->loadById(q.int64(0));
    if (!a) return fail(a.error());
    a->file = path;
    return std::optional<analysis::TrackAnalysis>(std::move(*a));
}

Result<std::vector<EvidenceSegment>> Catalog::evidence(const AnalysisKey& key) const {
    auto id = m_impl->analysisId(key);
    if (!id) return fail(id.error());
    Statement q(m_impl->db, "SELECT tag_index, rank, start_seconds, end_seconds, score FROM evidence_segments "
                            "WHERE analysis_id = ?1 ORDER BY tag_index, rank");
    q.bind(1, *id);
    std::vector<EvidenceSegment> out;
    for (;;) {
        auto row = q.step();
        if (!row) return fail(row.error());
        if (!*row) break;
        out.push_back({size_t(q.int64(0)), int(q.int64(1)), q.real(2), q.real(3), float(q.real(4))});
    }
    return out;
}

Result<std::vector<LibraryEntry>> Catalog::library(const std::string& modelId) const {
    Statement q(m_impl->db,
                "SELECT t.path_bytes, t.size, t.mtime_ns, t.audio_hash, "
                "(SELECT a.id FROM analyses a JOIN models m ON m.sha256 = a.model_sha256 "
                " WHERE a.audio_hash = t.audio_hash AND (?1 = '' OR m.id = ?1) "
                " ORDER BY a.created_ns DESC, a.id DESC LIMIT 1) AS aid "
                "FROM tracks t WHERE aid IS NOT NULL ORDER BY t.path_bytes");
    q.bind(1, modelId);
    std::vector<std::pair<CatalogTrack, int64_t>> rows;
    for (;;) {
        auto row = q.step();
        if (!row) return fail(row.error());
        if (!*row) break;
        CatalogTrack t;
        t.path = fs::path(q.blob(0));
        t.size = q.int64(1);
        t.mtimeNs = q.int64(2);
        t.audioHash = q.text(3);
        rows.emplace_back(std::move(t), q.int64(4));
    }
    Statement a(m_impl->db, "SELECT a.model_sha256, m.id, a.hierarchy FROM analyses a "
                            "JOIN models m ON m.sha256 = a.model_sha256 WHERE a.id = ?1");
    std::vector<LibraryEntry> out;
    out.reserve(rows.size());
    for (auto& [t, id] : rows) {
        a.bind(1, id);
        auto row = a.step();
        if (!row) return fail(row.error());
        if (!*row) continue;
        LibraryEntry e;
        t.modelSha256 = a.text(0);
        t.modelId = a.text(1);
        e.groups = hierarchy(a.text(2));
        a.reset();
        auto m = m_impl->model(t.modelSha256);
        if (!m) return fail(m.error());
        t.tagNames = (*m)->first;
        t.vocabularies = (*m)->second;
        auto s = m_impl->scores(id);
        if (!s) return fail(s.error());
        t.scores = std::move(*s);
        t.scores.resize(t.tagNames.size(), 0.0f);
        e.track = std::move(t);
        out.push_back(std::move(e));
    }
    return out;
}

Result<std::vector<CatalogTrack>> Catalog::tracksWithLatestAnalysis(const std::string& modelId) const {
    auto entries = library(modelId);
    if (!entries) return fail(entries.error());
    std::vector<CatalogTrack> out;
    out.reserve(entries->size());
    for (auto& e : *entries) out.push_back(std::move(e.track));
    return out;
}

} // namespace tagscope::catalog
