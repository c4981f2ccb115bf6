// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/catalog/catalog.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/catalog/catalog_impl.h"
#include "core/catalog/catalog_schema.h"
#include "core/catalog/path_text.h"

namespace tagscope::catalog {
namespace fs = std::filesystem;
using detail::Statement;
using detail::Transaction;
using nlohmann::json;

namespace detail {
int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
} // namespace detail

namespace {

template <class T>
std::string packVector(const std::vector<T>& v) {
    // NOTE: stored little-endian; every platform Tagscope builds for is little-endian.
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string dumpJson(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json hierarchyJson(const std::vector<analysis::CoarseTag>& hierarchy) {
    json out = json::array();
    for (const auto& c : hierarchy)
        out.push_back({{"group", c.group}, {"score", c.score}, {"evidence_index", c.evidenceIndex},
                       {"evidence_tag", c.evidenceTag}, {"members", c.members}});
    return out;
}

Result<int> readUserVersion(detail::SqliteDb& db) {
    Statement q(db, "PRAGMA user_version");
    auto row = q.step();
    if (!row) return fail(Error::make(row.error().kind, db.file(), "not a Tagscope catalog (" + row.error().message + ")"));
    return *row ? int(q.int64(0)) : 0;
}

Result<void> migrate(detail::SqliteDb& db, int from) {
    const auto& steps = detail::migrations();
    for (int v = from; v < int(steps.size()); ++v) {
        Transaction tx(db);
        if (!tx.begun()) return fail(tx.begun().error());
        if (auto ok = db.exec(steps[size_t(v)]); !ok)
            return fail(Error::make(ok.error().kind, db.file(),
                                    "cannot upgrade the catalog to version " + std::to_string(v + 1) + ": " + ok.error().message));
        if (auto ok = db.exec("PRAGMA user_version = " + std::to_string(v + 1)); !ok) return fail(ok.error());
        if (auto ok = tx.commit(); !ok) return fail(ok.error());
    }
    return {};
}

} // namespace

Catalog::Catalog(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;
Catalog::~Catalog() = default;

const fs::path& Catalog::file() const { return m_impl->file; }
int Catalog::schemaVersion() const { return m_impl->version; }

fs::path Catalog::defaultPath() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    fs::path base;
    if (xdg && *xdg && fs::path(xdg).is_absolute()) base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home) base = fs::path(home) / ".local/share";
    else base = fs::temp_directory_path();
    return base / "tagscope" / "catalog.sqlite";
}

Result<Catalog> Catalog::open(const fs::path& file) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) return fail(Error::Kind::InvalidInput, file, "is a folder, not a catalog file");
    if (file.has_parent_path() && !fs::exists(file.parent_path(), ec)) {
        fs::create_directories(file.parent_path(), ec);
        if (ec) return fail(Error::Kind::Io, file, "cannot create the catalog's folder: " + ec.message());
    }
    auto db = detail::SqliteDb::open(file, true);
    if (!db) return fail(db.error());
    auto version = readUserVersion(*db);
    if (!version) return fail(version.error());
    if (*version > kCatalogSchemaVersion)
        return fail(Error::Kind::Mismatch, file,
                    "the catalog was made by a newer Tagscope (schema version " + std::to_string(*version) +
                        "; this version reads up to " + std::to_string(kCatalogSchemaVersion) + ")");
    // NOTE: WAL + synchronous=NORMAL: a transaction is atomic and durable against a killed
    // process (kill -9 never leaves a half-written track); only a power cut may lose the last
    // commits, never corrupt the file.
    {
        Statement q(*db, "PRAGMA journal_mode=WAL");
        auto row = q.step();
        if (!row) return fail(row.error());
        if (!*row || q.text(0) != "wal") return fail(Error::Kind::Io, file, "cannot switch the catalog to WAL mode");
    }
    if (auto ok = db->exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"); !ok) return fail(ok.error());
    if (auto ok = migrate(*db, *version); !ok) return fail(ok.error());
    auto impl = std::make_unique<Impl>();
    impl->db = std::move(*db);
    impl->file = file;
    impl->version = kCatalogSchemaVersion;
    return Catalog(std::move(impl));
}

Result<std::optional<TrackFile>> Catalog::track(const fs::path& path) const {
    Statement q(m_impl->db, "SELECT size, mtime_ns, audio_hash FROM tracks WHERE path_bytes = ?1");
    const std::string bytes = detail::pathBytes(path);
    q.bindBlob(1, bytes.data(), bytes.size());
    auto row = q.step();
    if (!row) return fail(row.error());
    if (!*row) return std::optional<TrackFile>{};
    return std::optional<TrackFile>(TrackFile{path, q.int64(0), q.int64(1), q.text(2)});
}

Result<std::vector<TrackFile>> Catalog::tracks() const {
    Statement q(m_impl->db, "SELECT path_bytes, size, mtime_ns, audio_hash FROM tracks ORDER BY path_bytes");
    std::vector<TrackFile> out;
    for (;;) {
        auto row = q.step();
        if (!row) return fail(row.error());
        if (!*row) break;
        out.push_back({fs::path(q.blob(0)), q.int64(1), q.int64(2), q.text(3)});
    }
    return out;
}

namespace {
Result<void> upsertTrack(detail::SqliteDb& db, const TrackFile& t) {
    Statement q(db, "INSERT INTO tracks(path_bytes, path_text, size, mtime_ns, audio_hash) VALUES(?1, ?2, ?3, ?4, ?5) "
                    "ON CONFLICT(path_bytes) DO UPDATE SET path_text = excluded.path_text, size = excluded.size, "
                    "mtime_ns = excluded.mtime_ns, audio_hash = excluded.audio_hash");
    const std::string bytes = detail::pathBytes(t.path);
    q.bindBlob(1, bytes.data(), bytes.size()).bind(2, toValidUtf8(bytes)).bind(3, t.size).bind(4, t.mtimeNs).bind(5, t.audioHash);
    return q.run();
}
} // namespace

Result<void> Catalog::putTrack(const TrackFile& track) {
    Transaction tx(m_impl->db);
    if (!tx.begun()) return fail(tx.begun().error());
    if (auto ok = upsertTrack(m_impl->db, track); !ok) return ok;
    return tx.commit();
}

Result<void> Catalog::removeTrack(const fs::path& path) {
    Statement q(m_impl->db, "DELETE FROM tracks WHERE path_bytes = ?1");
    const std::string bytes = detail::pathBytes(path);
    q.bindBlob(1, bytes.data(), bytes.size());
    return q.run();
}

Result<int64_t> Catalog::Impl::analysisId(const AnalysisKey& key) const {
    Statement q(db, "SELECT id FROM analyses WHERE audio_hash = ?1 AND model_sha256 = ?2 AND options_json = ?3");
    q.bind(1, key.audioHash).bind(2, key.modelSha256).bind(3, key.optionsJson);
    auto row = q.step();
    if (!row) return fail(row.error());
    return *row ? q.int64(0) : int64_t(0);
}

Result<bool> Catalog::hasAnalysis(const AnalysisKey& key) const {
    auto id = m_impl->analysisId(key);
    if (!id) return fail(id.error());
    return *id != 0;
}

Result<void> Catalog::storeAnalysis(const TrackFile& track, const AnalysisKey& key, const analysis::TrackAnalysis& a,
                                    const std::vector<EvidenceSegment>& evidence) {
    auto& db = m_impl->db;
    if (a.trackScores.size() != a.tagNames.size())
        return fail(Error::Kind::InvalidInput, track.path, "analysis has " + std::to_string(a.trackScores.size()) +
                                                               " scores for " + std::to_string(a.tagNames.size()) + " tags");
    Transaction tx(db);
    if (!tx.begun()) return fail(tx.begun().error());
    {
        Statement q(db, "INSERT OR IGNORE INTO models(sha256, id, tag_names, vocabularies) VALUES(?1, ?2, ?3, ?4)");
        q.bind(1, key.modelSha256).bind(2, a.modelId).bind(3, dumpJson(a.tagNames)).bind(4, dumpJson(a.vocabularyOfTag));
        if (auto ok = q.run(); !ok) return ok;
    }
    auto existing = m_impl->analysisId(key);
    if (!existing) return fail(existing.error());
    if (*existing == 0) {
        Statement q(db, "INSERT INTO analyses(audio_hash, model_sha256, options_json, created_ns, sample_rate, "
                        "duration_seconds, chunk_seconds, hop_seconds, hierarchy, warnings) "
                        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        q.bind(1, key.audioHash).bind(2, key.modelSha256).bind(3, key.optionsJson).bind(4, detail::nowNs());
        q.bind(5, int64_t(a.sampleRate)).bind(6, a.durationSeconds).bind(7, a.chunkSeconds).bind(8, a.hopSeconds);
        q.bind(9, dumpJson(hierarchyJson(a.hierarchy))).bind(10, dumpJson(a.warnings));
        if (auto ok = q.run(); !ok) return ok;
        const int64_t id = db.lastInsertId();
        Statement s(db, "INSERT INTO track_scores(analysis_id, tag_index, score) VALUES(?1, ?2, ?3)");
        for (size_t i = 0; i < a.trackScores.size(); ++i) {
            s.bind(1, id).bind(2, int64_t(i)).bind(3, double(a.trackScores[i]));
            if (auto ok = s.run(); !ok) return ok;
        }
        Statement t(db, "INSERT INTO taggrams(analysis_id, tag_count, chunk_start, chunk_end, probs) VALUES(?1, ?2, ?3, ?4, ?5)");
        const std::string starts = packVector(a.taggram.chunkStartSeconds), ends = packVector(a.taggram.chunkEndSeconds),
                          probs = packVector(a.taggram.values);
        t.bind(1, id).bind(2, int64_t(a.taggram.tagCount)).bindBlob(3, starts.data(), starts.size());
        t.bindBlob(4, ends.data(), ends.size()).bindBlob(5, probs.data(), probs.size());
        if (auto ok = t.run(); !ok) return ok;
        Statement e(db, "INSERT OR REPLACE INTO evidence_segments(analysis_id, tag_index, rank, start_seconds, end_seconds, score) "
                        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
        for (const auto& seg : evidence) {
            e.bind(1, id).bind(2, int64_t(seg.tag)).bind(3, int64_t(seg.rank)).bind(4, seg.startSeconds);
            e.bind(5, seg.endSeconds).bind(6, double(seg.score));
            if (auto ok = e.run(); !ok) return ok;
        }
    }
    if (auto ok = upsertTrack(db, track); !ok) return ok;
    return tx.commit();
}

} // namespace tagscope::catalog
