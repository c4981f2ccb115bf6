// SPDX-License-Identifier: GPL-3.0-or-later
// Catalog internals shared by its implementation files (not a public header).
#pragma once

#include <map>

#include "core/catalog/catalog.h"
#include "core/catalog/sqlite_db.h"

namespace tagscope::catalog {

struct Catalog::Impl {
    detail::SqliteDb db;
    std::filesystem::path file;
    int version = 0;
    /// Parsed tag names / vocabularies per model sha256 (models never change once stored).
    mutable std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> models;

    /// Id of the analysis stored under `key`, 0 when none.
    Result<int64_t> analysisId(const AnalysisKey& key) const;
    /// The whole analysis with row id `id`.
    Result<analysis::TrackAnalysis> loadById(int64_t id) const;
    /// Tag names and vocabularies of a stored model.
    Result<const std::pair<std::vector<std::string>, std::vector<std::string>>*> model(const std::string& sha) const;
    /// Track scores of an analysis, tag order.
    Result<std::vector<float>> scores(int64_t id) const;
};

namespace detail {
/// Exact bytes of a path as a std::string.
inline std::string pathBytes(const std::filesystem::path& p) { return p.native(); }
/// Nanoseconds since the epoch, now.
int64_t nowNs();
} // namespace detail

} // namespace tagscope::catalog
