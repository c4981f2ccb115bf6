// SPDX-License-Identifier: GPL-3.0-or-later
// JSON of the explanation result types (explanations.h) and of a model comparison
// (model_comparison.h). Part of the export schema of serialize.h; readers name `source` and the
// first missing or malformed field.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/analysis/explanations.h"
#include "core/analysis/model_comparison.h"
#include "core/common/error.h"

namespace tagscope::analysis {

/// { "segment_seconds", "masking_value", "segment_start_seconds", "segment_end_seconds",
///   "tags": n, "drops": [segment][tag] }
nlohmann::json occlusionToJson(const OcclusionRelevance& occlusion);
/// Reads occlusionToJson() back.
Result<OcclusionRelevance> occlusionFromJson(const nlohmann::json& json, const std::string& source = "");

/// { "tag", "index", "start_seconds", "end_seconds", "segment_start_seconds", "segment_end_seconds",
///   "bands": [{first_mel, end_mel, low_hz, high_hz}], "drops": [segment][band] }
nlohmann::json timeFrequencyToJson(const TimeFrequencyOcclusion& tf);
/// Reads timeFrequencyToJson() back.
Result<TimeFrequencyOcclusion> timeFrequencyFromJson(const nlohmann::json& json, const std::string& source = "");

/// { "method", "tag", "index", "segment_seconds", "segment_count", "fractions", "deletion",
///   "insertion", "random_orderings", "random_deletion": {mean, p10, p90}, "random_insertion": {...},
///   "score", "random_score_mean", "area_between", "share_beaten", "verdict", "summary" }
nlohmann::json curveToJson(const FaithfulnessCurve& curve);
/// Reads curveToJson() back (the summary is recomputed, not read).
Result<FaithfulnessCurve> curveFromJson(const nlohmann::json& json, const std::string& source = "");

/// { "model_a", "model_b", "rank_correlation", "mean_evidence_overlap"?, "overlap_rows",
///   "top_segments", "tags": [{name, kind, score_a, score_b, evidence_a, evidence_b,
///   evidence_overlap?}] } (evidence_* as tag names of the two analyses).
nlohmann::json comparisonToJson(const ModelComparison& comparison, const TrackAnalysis& a, const TrackAnalysis& b);

} // namespace tagscope::analysis
