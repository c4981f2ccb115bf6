// SPDX-License-Identifier: GPL-3.0-or-later
// Catalog::mergeFrom: combine the catalogs of several machines (or shards) into one.
#include <system_error>

#include "core/catalog/catalog.h"
#include "core/catalog/catalog_impl.h"

namespace tagscope::catalog {
namespace fs = std::filesystem;
using detail::Statement;
using detail::Transaction;

namespace {

/// Detaches the source database when the merge leaves (RAII).
struct Attached {
    detail::SqliteDb& db;
    bool on = false;
    ~Attached() {
        if (on) (void)db.exec("DETACH DATABASE src");
    }
};

Result<void> copyAnalysis(detail::SqliteDb& db, int64_t from, int64_t to) {
    const char* copies[] = {
        "INSERT INTO track_scores(analysis_id, tag_index, score) SELECT ?2, tag_index, score FROM src.track_scores WHERE analysis_id = ?1",
        "INSERT INTO taggrams(analysis_id, tag_count, chunk_start, chunk_end, probs) "
        "SELECT ?2, tag_count, chunk_start, chunk_end, probs FROM src.taggrams WHERE analysis_id = ?1",
        "INSERT INTO evidence_segments(analysis_id, tag_index, rank, start_seconds, end_seconds, score) "
        "SELECT ?2, tag_index, rank, start_seconds, end_seconds, score FROM src.evidence_segments WHERE analysis_id = ?1",
    };
    for (const char* sql : copies) {
        Statement q(db, sql);
        q.bind(1, from).bind(2, to);
        if (auto ok = q.run(); !ok) return ok;
    }
    return {};
}

} // namespace

Result<MergeStats> Catalog::mergeFrom(const fs::path& other) {
    std::error_code ec;
    if (!fs::is_regular_file(other, ec)) return fail(Error::Kind::NotFound, other, "catalog file not found");
    if (fs::equivalent(other, m_impl->file, ec)) return fail(Error::Kind::InvalidInput, other, "cannot merge a catalog into itself");
    {
        // An older source is brought up to date first (its own migrations, in its own file).
        auto src = Catalog::open(other);
        if (!src) return fail(src.error());
    }
    auto& db = m_impl->db;
    Attached attached{db};
    {
        Statement q(db, "ATTACH DATABASE ?1 AS src");
        q.bind(1, std::string_view(other.native()));
        if (auto ok = q.run(); !ok) return fail(ok.error());
        attached.on = true;
    }
    MergeStats stats;
    Transaction tx(db);
    if (!tx.begun()) return fail(tx.begun().error());
    if (auto ok = db.exec("INSERT OR IGNORE INTO models SELECT sha256, id, tag_names, vocabularies FROM src.models"); !ok)
        return fail(ok.error());
    Statement list(db, "SELECT id, audio_hash, model_sha256, options_json FROM src.analyses ORDER BY id");
    Statement insert(db, "INSERT INTO analyses(audio_hash, model_sha256, options_json, created_ns, sample_rate, duration_seconds, "
                         "chunk_seconds, hop_seconds, hierarchy, warnings) SELECT audio_hash, model_sha256, options_json, "
                         "created_ns, sample_rate, duration_seconds, chunk_seconds, hop_seconds, hierarchy, warnings "
                         "FROM src.analyses WHERE id = ?1");
    for (;;) {
        auto row = list.step();
        if (!row) return fail(row.error());
        if (!*row) break;
        auto have = m_impl->analysisId({list.text(1), list.text(2), list.text(3)});
        if (!have) return fail(have.error());
        if (*have != 0) continue;
        insert.bind(1, list.int64(0));
        if (auto ok = insert.run(); !ok) return fail(ok.error());
        if (auto ok = copyAnalysis(db, list.int64(0), db.lastInsertId()); !ok) return fail(ok.error());
        ++stats.analyses;
    }
    // NOTE: "WHERE true" disambiguates the upsert clause after a SELECT (SQLite's grammar).
    if (auto ok = db.exec("INSERT INTO tracks(path_bytes, path_text, size, mtime_ns, audio_hash) "
                          "SELECT path_bytes, path_text, size, mtime_ns, audio_hash FROM src.tracks WHERE true "
                          "ON CONFLICT(path_bytes) DO UPDATE SET path_text = excluded.path_text, size = excluded.size, "
                          "mtime_ns = excluded.mtime_ns, audio_hash = excluded.audio_hash "
                          "WHERE excluded.mtime_ns > tracks.mtime_ns");
        !ok)
        return fail(ok.error());
    stats.tracks = size_t(db.changes());
    if (auto ok = tx.commit(); !ok) return fail(ok.error());
    return stats;
}

} // namespace tagscope::catalog
