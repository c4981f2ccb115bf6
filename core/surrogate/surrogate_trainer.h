// SPDX-License-Identifier: GPL-3.0-or-later
// Trains a SurrogateModel from rows of perceptual features and the network's tag probabilities
// (tracks and their segments), measures its fidelity on the held-out split.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/surrogate/surrogate_model.h"
#include "core/surrogate/xgb_booster.h"

namespace tagscope::surrogate {

/// Training material: one row per track (isTrack) and per segment.
struct SurrogateDataset {
    std::vector<SurrogateFeature> features;
    std::vector<std::string> tags;
    FeatureMatrix x;                  ///< rows x features
    FeatureMatrix y;                  ///< rows x tags: the network's probabilities (targets)
    std::vector<std::string> split;   ///< per row: "train", "validation", "test"
    std::vector<int> track;           ///< per row: which track it belongs to
    std::vector<char> isTrack;        ///< per row: 1 = whole-track row, 0 = segment row

    /// Appends a row; `targets` has one value per tag.
    void addRow(std::span<const float> features, std::span<const float> targets, const std::string& rowSplit,
                int trackId, bool wholeTrack);
};

struct SurrogateTrainOptions {
    BoosterParams booster;
    std::string modelId;
    std::string trainSplit = "train";
    std::string testSplit = "test";
    size_t topK = 5;                                  ///< fidelity AUC: the network's top-k tags
    /// Called after each tag's booster (tags done, tags in total).
    std::function<void(size_t, size_t)> onTag;
    const CancelToken* cancel = nullptr;
};

/// Trains one booster per tag on the train split, each starting from the tag's mean probability,
/// and fills the fidelity table from the test split. Deterministic for equal inputs.
Result<SurrogateModel> trainSurrogate(const SurrogateDataset& data, const SurrogateTrainOptions& options);

/// Fidelity of `model` on the rows of `split` (R² per track and per segment, AUC vs top-k).
Result<std::vector<TagFidelity>> measureFidelity(const SurrogateModel& model, const SurrogateDataset& data,
                                                 const std::string& split, size_t topK);

} // namespace tagscope::surrogate
