// SPDX-License-Identifier: GPL-3.0-or-later
// The library catalog: one SQLite file (WAL journal, schema versioned with `PRAGMA user_version`
// and ordered migrations) that remembers every track file seen by `tagscope-cli scan` and every
// analysis made of it. Torch-free, Qt-free; the CLI (scan, find, catalog merge), the GUI's
// Library window and the tag writer all read and write it through this class.
//
// Tables (see catalog_schema.cpp for the SQL):
//   tracks     one row per file: path (raw bytes as a BLOB, the key, plus a display string),
//              size, mtime_ns, audio_hash
//   models     one row per model weights sha256: id, tag names, vocabularies
//   analyses   keyed by (audio_hash, model_sha256, options_json): duration, chunking, hierarchy
//   track_scores  (analysis, tag index) -> track score
//   taggrams   chunk x tag probabilities of an analysis (float32 BLOB) with chunk times
//   evidence_segments  per top tag, the chunks where the tag is strongest (seconds)
//
// NOTE: paths are stored losslessly. A Linux file name is a byte string that need not be valid
// UTF-8; `tracks.path_bytes` holds exactly the bytes of the absolute path, `tracks.path_text`
// the same path with every invalid UTF-8 byte replaced by U+FFFD (for display and text search).
//
// NOTE: audio_hash is the SHA-256 of the decoded audio (mono float32 little-endian samples at
// the file's own rate, as the decoder produces them), not of the file's bytes: editing tags
// (which tagwrite does) changes the file but not its audio, so its analyses stay valid, and a
// moved or retagged file is recognised without running the model again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"

namespace tagscope::catalog {

/// Schema version written by this build (PRAGMA user_version).
inline constexpr int kCatalogSchemaVersion = 2;

/// A catalogued track with the scores of its latest analysis (one model).
struct CatalogTrack {
    std::filesystem::path path;           ///< absolute path, exact bytes
    int64_t size = 0;                     ///< bytes, when catalogued
    int64_t mtimeNs = 0;                  ///< modification time (ns since the epoch), when catalogued
    std::string audioHash;                ///< sha256 of the decoded audio (hex)
    std::string modelId;
    std::string modelSha256;
    std::vector<std::string> tagNames;    ///< output order of the model
    std::vector<std::string> vocabularies;///< vocabulary of each tag (parallel to tagNames)
    std::vector<float> scores;            ///< track score of each tag (parallel to tagNames)
};

/// A track file as the catalog knows it.
struct TrackFile {
    std::filesystem::path path;
    int64_t size = 0;
    int64_t mtimeNs = 0;
    std::string audioHash;
};

/// What identifies an analysis: the same audio, weights and options give the same result.
struct AnalysisKey {
    std::string audioHash;
    std::string modelSha256;
    std::string optionsJson;              ///< canonical JSON of the analysis options ("{}" = defaults)
};

/// Time span where a tag is strongest in a track (from the taggram).
struct EvidenceSegment {
    size_t tag = 0;                       ///< tag index (model output order)
    int rank = 0;                         ///< 0 = strongest chunk of this tag
    double startSeconds = 0.0;
    double endSeconds = 0.0;
    float score = 0.0f;
};

/// A catalogued track with the coarse groups (taxonomy max-pooling) of its latest analysis.
struct LibraryEntry {
    CatalogTrack track;
    std::vector<analysis::CoarseTag> groups;  ///< sorted by descending score
};

/// Counts reported by Catalog::mergeFrom().
struct MergeStats {
    size_t tracks = 0;                    ///< track rows added or updated
    size_t analyses = 0;                  ///< analyses added (already present ones are skipped)
};

/// Size and mtime of a file, as stored in `tracks`; errors name the file.
Result<TrackFile> statTrackFile(const std::filesystem::path& file);

/// `path` as UTF-8 text: every byte that is not part of valid UTF-8 becomes U+FFFD.
std::string displayPath(const std::filesystem::path& path);

/// The strongest chunks of the top `tags` tags of an analysis (`perTag` chunks each).
std::vector<EvidenceSegment> evidenceFromTaggram(const analysis::TrackAnalysis& analysis, size_t tags = 10,
                                                 size_t perTag = 3);

/// A connection to one catalog file. Not copyable; movable. Use one Catalog per thread (SQLite
/// connections are not shared across threads here); several processes may open the same file.
class Catalog {
public:
    /// Opens (creating it and its folder when missing) and migrates the catalog at `file`.
    /// Errors: not a SQLite file, made by a newer Tagscope (user_version too high), read-only.
    static Result<Catalog> open(const std::filesystem::path& file);
    /// $XDG_DATA_HOME/tagscope/catalog.sqlite, else ~/.local/share/tagscope/catalog.sqlite.
    static std::filesystem::path defaultPath();

    Catalog(Catalog&&) noexcept;
    Catalog& operator=(Catalog&&) noexcept;
    ~Catalog();

    /// The file this catalog lives in.
    const std::filesystem::path& file() const;
    /// The schema version of the open file (== kCatalogSchemaVersion after open()).
    int schemaVersion() const;

    /// The track row of `path`, if any.
    Result<std::optional<TrackFile>> track(const std::filesystem::path& path) const;
    /// Every track row, sorted by path bytes.
    Result<std::vector<TrackFile>> tracks() const;
    /// Inserts or replaces the row of `track.path` (one transaction).
    Result<void> putTrack(const TrackFile& track);
    /// Removes the row of `path` (analyses stay: another file may have the same audio).
    Result<void> removeTrack(const std::filesystem::path& path);

    /// True when an analysis with exactly this key is stored.
    Result<bool> hasAnalysis(const AnalysisKey& key) const;
    /// Stores `analysis` under `key` and (re)points `track` at it, all in ONE transaction: after a
    /// crash either both are there or neither. An analysis already stored under `key` is kept.
    /// `modelSha256` of the key identifies the model; `analysis.modelId` is its display id.
    Result<void> storeAnalysis(const TrackFile& track, const AnalysisKey& key, const analysis::TrackAnalysis& analysis,
                               const std::vector<EvidenceSegment>& evidence);
    /// The analysis stored under `key` (without the mel spectrogram, which is not stored).
    Result<std::optional<analysis::TrackAnalysis>> loadAnalysis(const AnalysisKey& key) const;
    /// The newest analysis of the track at `path` (by `modelId`, "" = any model); `file` is set.
    Result<std::optional<analysis::TrackAnalysis>> latestAnalysis(const std::filesystem::path& path,
                                                                  const std::string& modelId = {}) const;
    /// Evidence segments stored with an analysis.
    Result<std::vector<EvidenceSegment>> evidence(const AnalysisKey& key) const;

    /// Every track with the scores of its newest analysis by `modelId` ("" = any model); tracks
    /// without such an analysis are left out. Sorted by path.
    Result<std::vector<CatalogTrack>> tracksWithLatestAnalysis(const std::string& modelId = {}) const;

    /// tracksWithLatestAnalysis() plus each analysis' coarse groups (for find and the Library window).
    Result<std::vector<LibraryEntry>> library(const std::string& modelId = {}) const;

    /// Copies every track, model and analysis of the catalog file `other` into this one (one
    /// transaction). A track path present in both keeps the row with the newer mtime.
    Result<MergeStats> mergeFrom(const std::filesystem::path& other);

private:
    struct Impl;
    explicit Catalog(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace tagscope::catalog
