// SPDX-License-Identifier: GPL-3.0-or-later
// One tag explained in musical terms for a track and its segments: the value type shared by the
// CLI (explain --features) and the GUI ("Why, in musical terms"). Torch-free, Qt-free.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/surrogate/surrogate_model.h"

namespace tagscope::surrogate {

/// A tag's surrogate explanation over a whole track and over each of its segments.
struct MusicalTagExplanation {
    size_t tag = 0;
    std::string tagName;
    std::vector<SurrogateFeature> features;             ///< the surrogate's columns
    MusicalExplanation track;                           ///< whole-track explanation
    std::vector<std::pair<double, double>> segmentSpans;///< [start, end) seconds per segment
    std::vector<MusicalExplanation> segments;           ///< parallel to segmentSpans
    std::optional<TagFidelity> fidelity;                ///< how well the surrogate follows the network

    /// The (up to) `k` segments where `feature` pushes the tag up most, strongest first; only
    /// segments with a positive contribution count.
    std::vector<std::pair<double, double>> segmentsPushedBy(size_t feature, size_t k) const;
    /// One line for people: "tempo 128 BPM: +0.21".
    std::string contributionLine(size_t feature) const;
    /// JSON: tag, prediction, bias, fidelity, track contributions (ranked, with values and units),
    /// per-segment contributions.
    nlohmann::json toJson(size_t topFeatures = 0) const;
};

/// A feature value with its unit, rounded for people: "128 BPM", "-14.2 LUFS", "0.63".
std::string formatFeatureValue(const SurrogateFeature& feature, float value);

/// Explains `tag` with `model` for a track row (1 x features) and its segment rows.
Result<MusicalTagExplanation> explainInMusicalTerms(const SurrogateModel& model, size_t tag,
                                                   const FeatureMatrix& trackRow, const FeatureMatrix& segmentRows,
                                                   std::vector<std::pair<double, double>> segmentSpans);

} // namespace tagscope::surrogate
