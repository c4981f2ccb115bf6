// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/catalog/catalog_schema.h"

namespace tagscope::catalog::detail {

const std::vector<std::string_view>& migrations() {
    static const std::vector<std::string_view> steps = {
        // 0 -> 1: tracks, models, analyses, scores, taggrams.
        R"sql(
CREATE TABLE tracks (
  id INTEGER PRIMARY KEY,
  path_bytes BLOB NOT NULL UNIQUE,     -- exact bytes of the absolute path
  path_text TEXT NOT NULL,             -- the same, invalid UTF-8 replaced by U+FFFD
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  audio_hash TEXT NOT NULL
);
CREATE INDEX tracks_by_hash ON tracks(audio_hash);
CREATE TABLE models (
  sha256 TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  tag_names TEXT NOT NULL,             -- JSON array, output order
  vocabularies TEXT NOT NULL           -- JSON array, parallel to tag_names
);
CREATE TABLE analyses (
  id INTEGER PRIMARY KEY,
  audio_hash TEXT NOT NULL,
  model_sha256 TEXT NOT NULL REFERENCES models(sha256),
  options_json TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  sample_rate INTEGER NOT NULL,
  duration_seconds REAL NOT NULL,
  chunk_seconds REAL NOT NULL,
  hop_seconds REAL NOT NULL,
  hierarchy TEXT NOT NULL,             -- JSON: [{group, score, evidence_index, evidence_tag, members}]
  warnings TEXT NOT NULL,              -- JSON array of strings
  UNIQUE(audio_hash, model_sha256, options_json)
);
CREATE TABLE track_scores (
  analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  tag_index INTEGER NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY(analysis_id, tag_index)
) WITHOUT ROWID;
CREATE TABLE taggrams (
  analysis_id INTEGER PRIMARY KEY REFERENCES analyses(id) ON DELETE CASCADE,
  tag_count INTEGER NOT NULL,
  chunk_start BLOB NOT NULL,           -- float64 little-endian, one per chunk
  chunk_end BLOB NOT NULL,             -- float64 little-endian, one per chunk
  probs BLOB NOT NULL                  -- float32 little-endian, chunk-major
);
)sql",
        // 1 -> 2: evidence segments; a lookup index for "latest analysis of this model".
        R"sql(
CREATE TABLE evidence_segments (
  analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  tag_index INTEGER NOT NULL,
  rank INTEGER NOT NULL,
  start_seconds REAL NOT NULL,
  end_seconds REAL NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY(analysis_id, tag_index, rank)
) WITHOUT ROWID;
CREATE INDEX analyses_by_hash ON analyses(audio_hash, created_ns);
)sql",
    };
    return steps;
}

} // namespace tagscope::catalog::detail
