// SPDX-License-Identifier: GPL-3.0-or-later
// The coarse level of an analysis: the taxonomy's groups, max-pooled from the fine tags or, for
// a model with a coarse head trained jointly (Zhong et al. 2023), its own group outputs.
#pragma once

#include "core/analysis/track_analysis.h"
#include "core/tags/taxonomy.h"

namespace tagscope::analysis {

/// Fills `r.hierarchy` from `r.trackScores`. Every group with members among the fine tags gets
/// the max of their scores and the argmax as evidence (groupedMaxPool). Tags of the learned-
/// groups vocabulary (tags::kLearnedGroupsVocabulary) are never members; a group that has such
/// an output takes that output as its score instead (CoarseTag::learned), and with
/// `r.coarseRelation` (groups x fine tags) the fine tags it attended to most
/// (CoarseTag::relation: at most `relationSize`, weight >= 0.05). Sorted by score.
void buildHierarchy(const tags::Taxonomy& taxonomy, TrackAnalysis& r, size_t relationSize = 3);

} // namespace tagscope::analysis
