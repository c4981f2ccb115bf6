// SPDX-License-Identifier: GPL-3.0-or-later
// The bridge between the perceptual features (core/features) and the surrogate's matrices:
// catalog -> columns, a track's features -> one track row and its segment rows, and the
// network's probabilities over each segment's span (the segment's training targets).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/features/feature_set.h"
#include "core/surrogate/surrogate_model.h"

namespace tagscope::surrogate {

/// The surrogate's columns: every feature of features::featureCatalog(), in catalog order.
std::vector<SurrogateFeature> catalogFeatures();

/// A fingerprint (16 hex digits) of the feature catalog's keys, units and methods: rows written
/// by an earlier version of the features (another method, another order) have another one.
std::string catalogFingerprint();

/// One track's feature rows.
struct FeatureRows {
    FeatureMatrix track;                              ///< 1 x features
    FeatureMatrix segments;                           ///< segments x features
    std::vector<std::pair<double, double>> spans;     ///< [start, end) seconds per segment
};

/// Rows of a track's features (NaN stays NaN: XGBoost treats it as missing).
FeatureRows featureRows(const features::TrackFeatures& trackFeatures);

/// The network's probabilities over [start, end): chunk probabilities averaged with weights of
/// their overlap with the span (the nearest chunk when none overlaps). One value per tag.
std::vector<float> probabilitiesOver(const analysis::Taggram& taggram, double start, double end);

/// Fills the features the network itself provides (vocal presence from its vocal tags), when
/// the model has vocal tags; leaves them NaN otherwise.
void fillModelFeatures(features::TrackFeatures& trackFeatures, const analysis::TrackAnalysis& analysis);

} // namespace tagscope::surrogate
