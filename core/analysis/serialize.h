// SPDX-License-Identifier: GPL-3.0-or-later
// The one export schema of Tagscope, shared by the CLI and the GUI: an analysed track (and the
// explanations of some of its tags) as JSON, and its tags and taggram as CSV.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"
#include "core/cards/model_card.h"

namespace tagscope::analysis {

/// Version of the JSON layout written by toJson(); bumped on any incompatible change.
inline constexpr int kSchemaVersion = 1;

/// What an export holds beyond the always-present fields.
struct ExportOptions {
    size_t top = 0;                  ///< tags in "ranked" (0 = all)
    float threshold = 0.0f;          ///< minimum track score of a tag in "ranked"
    bool includeTaggram = true;      ///< the chunk x tag probabilities
    bool includeAttention = true;    ///< attention summaries (when the analysis has them)
    bool includeRelevanceMaps = false; ///< full nMels x nFrames gradient maps (large)
};

/// The whole export of one track:
/// { "schema_version", "generator", "file", "model": {card essentials}, "duration_seconds",
///   "sample_rate", "chunk_seconds", "hop_seconds", "track_chunk_seconds"? (when the track
///   scores come from longer chunks than the taggram's), "vocabularies": [{name, tags}],
///   "track_scores": [per tag, output order], "ranked": [{rank, tag, vocabulary, index, score}],
///   "taggram": {chunk_start_seconds, chunk_end_seconds, tags, values[chunk][tag]},
///   "hierarchy": [{group, score, evidence_tag, evidence_index, members, member_indices,
///                  learned?, relation?: [{tag, index, weight}]}],
///   "attention": {...}?, "explanations": [...]?, "warnings": [...]? }
/// `card` may be null (only the model id of the analysis is written then).
nlohmann::json toJson(const TrackAnalysis& analysis, const cards::ModelCard* card,
                      const std::vector<TagExplanation>& explanations = {}, const ExportOptions& options = {});

/// One tag's explanations: "occlusion", "contribution", "attribution" (time series), "relevance",
/// "time_frequency"?, "faithfulness_curves" (explanation_json.h curveToJson), "best_method", and
/// for the best method's curve "verdict", "share_beaten", "summary"; "evidence_segments".
nlohmann::json explanationToJson(const TagExplanation& explanation, bool includeRelevanceMap = false);

/// Reads back what toJson() wrote (everything except the mel spectrogram, which is not exported).
/// Errors name `source` and the first missing or malformed field.
Result<TrackAnalysis> analysisFromJson(const nlohmann::json& json, const std::string& source = "");

/// Reads back what explanationToJson() wrote.
Result<TagExplanation> explanationFromJson(const nlohmann::json& json, const std::string& source = "");

/// Header of the tag CSV: "file,model,tag,vocabulary,score,rank".
std::string tagCsvHeader();

/// Rows of the tag CSV for one track (one per ranked tag, best first, no header), "\n" ended.
std::string tagCsvRows(const TrackAnalysis& analysis, size_t top = 0, float threshold = 0.0f);

/// The taggram as CSV: header "chunk_start,chunk_end,<tag>,..." then one row per chunk.
std::string taggramCsv(const TrackAnalysis& analysis);

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string csvField(const std::string& text);

} // namespace tagscope::analysis
