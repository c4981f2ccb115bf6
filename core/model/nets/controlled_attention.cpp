// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/controlled_attention.h"

namespace tagscope::model {
namespace {

torch::Tensor forcedWeights(const torch::Tensor& like, const torch::Tensor& tokens) {
    const auto b = like.size(0), h = like.size(1), n = like.size(2);
    TORCH_CHECK(tokens.defined() && tokens.dim() == 1 && tokens.size(0) == b,
                "forced attention needs one key token per batch row (", b, " rows)");
    const auto idx = tokens.to(like.device(), torch::kLong);
    TORCH_CHECK(idx.min().item<int64_t>() >= 0 && idx.max().item<int64_t>() < n,
                "forced attention token out of range (the sequence has ", n, " tokens)");
    const auto oneHot = torch::one_hot(idx, n).to(like.dtype());
    return oneHot.view({b, 1, 1, n}).expand({b, h, n, n});
}

} // namespace

void beginAttentionPass(AttentionControl* control) {
    if (control) control->captured.clear();
}

torch::Tensor controlledAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                  double scale, int layer, AttentionControl* control, double dropout,
                                  bool training) {
    auto weights = torch::softmax(torch::matmul(q, k.transpose(-1, -2)) * scale, -1);
    if (control) {
        if (control->forceLayer == layer) weights = forcedWeights(weights, control->forceTokens);
        if (control->capture)
            control->captured.push_back(torch::GradMode::is_enabled() ? weights : weights.detach());
    }
    if (training && dropout > 0.0) weights = torch::dropout(weights, dropout, true);
    return torch::matmul(weights, v);
}

} // namespace tagscope::model
