// SPDX-License-Identifier: GPL-3.0-or-later
// Which tags of an analysis go into which fields of a file (the policy), and the per-file plan
// of changes a user reviews before anything is written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/tagfile/tag_file.h"
#include "core/tags/taxonomy.h"

namespace tagscope::tagfile {

/// The fields Tagscope writes. Nothing else in a file is ever changed.
inline constexpr const char* kGenreField = "GENRE";
inline constexpr const char* kMoodField = "MOOD";
inline constexpr const char* kTagscopeField = "TAGSCOPE";

/// Append keeps a file's GENRE/MOOD values and adds ours (no duplicates, case-insensitive);
/// Replace puts only ours there. TAGSCOPE is always replaced.
enum class WritePolicy { Append, Replace };

/// How tags are chosen.
struct WriteOptions {
    WritePolicy policy = WritePolicy::Append;
    float minScore = 0.5f;  ///< a tag is written when its track score is at least this
    size_t top = 5;         ///< at most this many values of ours per field (GENRE, MOOD), best first
    size_t tagscopeScores = 20; ///< the best scores kept in the TAGSCOPE field
};

/// One analysed track: where the tags come from and what the file looked like when analysed.
struct TrackTags {
    std::filesystem::path file;
    std::optional<uint64_t> expectedSize;      ///< file size at analysis (catalog)
    std::optional<int64_t> expectedMtimeNs;    ///< file mtime at analysis (catalog)
    std::optional<int64_t> analysedAtNs;       ///< the file must not be modified after this
    std::string modelId;
    std::string modelSha256;
    std::vector<std::string> tagNames;         ///< output order
    std::vector<std::string> vocabularies;     ///< vocabulary of each tag (may be empty)
    std::vector<float> scores;                 ///< track score of each tag
};

/// The file field a tag belongs in, and the value written there.
struct FieldAssignment {
    std::string field;   ///< kGenreField, kMoodField, or "" (kept only in TAGSCOPE)
    std::string value;   ///< e.g. "ambient" for "genre---ambient"
};

/// The policy (README "Writing tags into files"): MTG-Jamendo's "genre---x" -> GENRE x,
/// "mood/theme---x" -> MOOD x, "instrument---x" -> none. Other tags by the taxonomy groups they
/// belong to: a member of an instrument, voice or arrangement group -> none (it describes the
/// sound, not a genre); else a member of a genre group -> GENRE; else of a mood group -> MOOD;
/// else none (tempo, era, unknown).
FieldAssignment classifyTag(const std::string& tag, const std::string& vocabulary, const tags::Taxonomy* taxonomy);

/// One field's values before and after.
struct FieldChange {
    std::string field;
    std::vector<std::string> before;
    std::vector<std::string> after;
    /// Our proposed values (a subset of `after`), each with its score, for review.
    std::vector<std::pair<std::string, float>> proposed;
    bool changed() const { return before != after; }
};

/// What would be written into one file.
struct FilePlan {
    std::filesystem::path file;
    std::string format;                 ///< "FLAC", "MP3", ...
    FieldMap fields;                    ///< every field of the file as read
    std::vector<FieldChange> changes;   ///< GENRE, MOOD, TAGSCOPE
    uint64_t size = 0;                  ///< the file as read for the plan
    int64_t mtimeNs = 0;
    std::string skipReason;             ///< non-empty: the file is left alone, and why
    /// True when at least one field would change and the file is not skipped.
    bool hasChanges() const;
    /// The fields to set: field -> values after (only changed fields).
    FieldMap changedFields() const;
};

/// Size and modification time (ns since the epoch) of a file.
Result<std::pair<uint64_t, int64_t>> fileStamp(const std::filesystem::path& path);

/// Reads `track.file` and plans its change under `options`. Never fails: a file that cannot be
/// planned (unsupported, unreadable, read-only, changed since analysis) gets a skipReason.
FilePlan planWrite(const TrackTags& track, const tags::Taxonomy* taxonomy, const WriteOptions& options);

/// The TAGSCOPE field value: compact JSON {"v":1,"model":id,"sha256":...,"scores":{"vocab:tag":0.91,...}}
/// with the best `maxScores` scores rounded to 3 decimals.
std::string tagscopeFieldValue(const TrackTags& track, size_t maxScores);

/// A readable per-file diff: "file (FLAC)\n  GENRE: rock -> rock; ambient\n  ARTIST: X (kept)\n ...".
/// Every field is listed; unchanged ones are marked "(kept)".
std::string formatDiff(const FilePlan& plan);

/// Case-insensitive ASCII comparison used to avoid duplicate values.
bool sameValue(const std::string& a, const std::string& b);

} // namespace tagscope::tagfile
