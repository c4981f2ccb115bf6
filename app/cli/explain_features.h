// SPDX-License-Identifier: GPL-3.0-or-later
// `explain --features`: each explained tag in musical terms (the model's surrogate over the
// track's perceptual features: track and per-segment SHAP with values and units).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/cards/model_card.h"

namespace tagscope::cli {

/// {"surrogate": file, "features": {key: track value}, "tags": [MusicalTagExplanation JSON...]}
/// for `tags` of `analysis` (of the model `card`); the surrogate file sits beside the card.
Result<nlohmann::json> musicalExplanationsJson(const cards::ModelCard& card, const analysis::TrackAnalysis& analysis,
                                               const std::vector<size_t>& tags, const CancelToken* cancel);

} // namespace tagscope::cli
