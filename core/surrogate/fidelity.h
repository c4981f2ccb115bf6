// SPDX-License-Identifier: GPL-3.0-or-later
// How closely a surrogate follows the network it explains, per tag, on held-out music:
// R² of the surrogate's probabilities against the network's, and ROC-AUC of the surrogate's
// scores against the network's own decisions (the tag is among the network's top-k of a track).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tagscope::surrogate {

/// Coefficient of determination of `predicted` against `target`: 1 - SS_res / SS_tot.
/// Empty input or a constant target gives nullopt (R² is undefined there).
std::optional<double> rSquared(std::span<const float> predicted, std::span<const float> target);

/// Area under the ROC curve of `scores` for binary `labels` (ties count half), or nullopt when
/// one class is absent.
std::optional<double> rocAuc(std::span<const float> scores, std::span<const char> labels);

/// Per track (row of a rows x tags matrix), 1 where a tag is among the row's `k` highest values.
std::vector<char> topKLabels(std::span<const float> values, size_t rows, size_t tags, size_t k);

/// Fidelity of one tag's surrogate.
struct TagFidelity {
    std::string tag;
    std::optional<double> r2;        ///< track-level R² of probabilities (held-out tracks)
    std::optional<double> segmentR2; ///< segment-level R² of probabilities
    std::optional<double> auc;       ///< ROC-AUC against the network's top-k tags per track
    size_t positives = 0;            ///< held-out tracks where the tag was in the network's top-k
    size_t tracks = 0;               ///< held-out tracks
    /// "good" (R² >= 0.5), "fair" (R² >= 0.25), "poor" (below), "unknown" (no R²).
    std::string verdict() const;
};

/// Median and worst of a fidelity table (over the tags where the figure exists).
struct FidelitySummary {
    std::optional<double> medianR2, medianAuc;
    std::optional<TagFidelity> worstR2, worstAuc;
    size_t tagsWithAuc = 0;
};
FidelitySummary summarize(std::span<const TagFidelity> table);

} // namespace tagscope::surrogate
