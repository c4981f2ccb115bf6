// SPDX-License-Identifier: GPL-3.0-or-later
// Two analyses of one track by two models, side by side: tags aligned across vocabularies (same
// tag name, or same taxonomy group of the analyses' hierarchies), the rank correlation of their
// scores and the overlap of their evidence. Torch-free; `tagscope-cli compare` and the GUI's
// split view call the same function.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/explanations.h"
#include "core/analysis/track_analysis.h"

namespace tagscope::analysis {

/// One row of a comparison: a concept both models can express.
struct AlignedTag {
    std::string name;                 ///< the tag name (without vocabulary/category) or group name
    std::string kind;                 ///< "tag" (same tag name) or "group" (same taxonomy group)
    std::vector<size_t> tagsA;        ///< output indices of model A pooled into this row
    std::vector<size_t> tagsB;        ///< output indices of model B pooled into this row
    size_t evidenceA = 0;             ///< the tag of A with the highest score (max pooling)
    size_t evidenceB = 0;
    float scoreA = 0.0f;              ///< max of A's scores over tagsA
    float scoreB = 0.0f;
    /// Jaccard overlap of the two models' top evidence segments for evidenceA / evidenceB
    /// (occlusion relevance); absent when an occlusion was not given.
    std::optional<double> evidenceOverlap;
};

/// What compareAnalyses() computes.
struct ModelComparison {
    std::string modelA;
    std::string modelB;
    std::vector<AlignedTag> tags;     ///< by descending max(scoreA, scoreB)
    /// Spearman rank correlation of scoreA vs scoreB over the rows (ties get mean ranks);
    /// 0 when fewer than 2 rows or a side is constant.
    double rankCorrelation = 0.0;
    /// Mean of the rows' evidenceOverlap over the top `overlapRows` rows by max score.
    std::optional<double> meanEvidenceOverlap;
    size_t overlapRows = 0;
    size_t topSegments = 0;           ///< segments per tag whose overlap is measured
};

/// Options of compareAnalyses().
struct CompareOptions {
    double topShare = 0.1;            ///< share of a track's segments counted as "top evidence"
    size_t minTopSegments = 3;        ///< at least this many top segments
    size_t overlapRows = 10;          ///< rows averaged into meanEvidenceOverlap
};

/// A tag name as the same concept in any vocabulary: the Jamendo category prefix dropped
/// ("genre---ambient" -> "ambient"), lower case.
std::string conceptName(const std::string& tagName);

/// Spearman rank correlation of two equally long series (mean ranks for ties).
double spearmanCorrelation(const std::vector<float>& x, const std::vector<float>& y);

/// |a ∩ b| / |a ∪ b| of two index sets (1 when both are empty).
double jaccard(std::vector<size_t> a, std::vector<size_t> b);

/// Compares two analyses of the same track. Rows: every concept name present in both models
/// ("tag"), then every hierarchy group (TrackAnalysis::hierarchy) present in both ("group").
/// `occlusionA/B` (may be null) add the evidence overlap. Never fails: disjoint vocabularies
/// give an empty table.
ModelComparison compareAnalyses(const TrackAnalysis& a, const TrackAnalysis& b, const OcclusionRelevance* occlusionA,
                                const OcclusionRelevance* occlusionB, const CompareOptions& options = {});

} // namespace tagscope::analysis
