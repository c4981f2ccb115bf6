// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Growing a trained student into a larger one that starts as exactly the same function, so a
// bigger student can be fine-tuned from the bundled one instead of trained from random weights
// (issue 12, capacity vs time). Pure host-tensor code: no torch.
#include <cstdint>
#include <filesystem>

#include "core/common/error.h"
#include "core/common/tensor.h"

namespace tagscope::model::training {

struct GrownStudent {
    TensorMap weights;          ///< every tensor of the larger student
    int64_t addedLayers = 0;    ///< transformer layers added as identities
    int64_t widthFactor = 1;    ///< token width multiplied by this (1: unchanged)
    int64_t convChannelsFrom = 0; ///< conv front-end channels of the source (0: front end unchanged)
    int64_t convChannels = 0;     ///< conv front-end channels it grew to (0: unchanged)
};

/// Maps `source` (a Music Tagging Transformer student's weights) onto a student whose fresh
/// weights are `fresh` (same key names, its own shapes) and which has `heads` attention heads.
/// - Coarse-head tensors the source lacks keep their fresh values.
/// - Deeper: transformer layers the source lacks keep their fresh weights but start with zero
///   residual outputs (attention to_out, feed-forward net.3): a pre-norm layer then passes its
///   input through unchanged.
/// - Wider by an integer factor k (same heads, same conv front end): every token unit is
///   copied k times, head by head (Net2WiderNet, Chen et al. 2016). Outputs are copied, inputs
///   from copies are divided by k, queries by sqrt(k) (a head's dot products gain k, its scale
///   loses sqrt(k)); a LayerNorm of k copies has the same mean and variance. Only students
///   without a learned coarse head widen.
/// - A wider conv front end (any number of channels at least the source's): channel j copies
///   source channel j mod n, outputs copied (batch-norm statistics too); each input from a copied
///   channel is split over its copies with random shares (about 1/copies, ±20 %, summing to 1,
///   drawn from `seed`), so the function is kept and the copies get different gradients.
/// Tensors whose shapes match are taken as they are. Anything else is refused with a message
/// naming `sourcePath` and the key.
Result<GrownStudent> growStudent(const TensorMap& source, const TensorMap& fresh, int64_t heads,
                                 const std::filesystem::path& sourcePath, uint32_t seed = 1);

} // namespace tagscope::model::training
