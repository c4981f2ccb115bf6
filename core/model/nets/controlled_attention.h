// SPDX-License-Identifier: GPL-3.0-or-later
// Scaled dot-product attention that honours an AttentionControl (capture / forced attention).
#pragma once

#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// softmax(q k^T * scale) v for q, k, v of shape B x H x N x D; returns B x H x N x D.
/// With `control`: when control->forceLayer == layer, the weights are replaced by a one-hot on
/// key token control->forceTokens[b] for every query of batch row b; when control->capture, the
/// (possibly forced) weights are appended to control->captured. `dropout` applies to the
/// weights in training mode only (after capture, as upstream). Throws c10::Error when the
/// forced tokens do not fit the batch.
torch::Tensor controlledAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                  double scale, int layer, AttentionControl* control, double dropout,
                                  bool training);

/// Clears `control->captured` before a new forward pass (no-op for nullptr).
void beginAttentionPass(AttentionControl* control);

} // namespace tagscope::model
