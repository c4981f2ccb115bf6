// SPDX-License-Identifier: GPL-3.0-or-later
// One layer of the Music Tagging Transformer (lucidrains ViT style, pre-norm).
#pragma once

#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// x + Attention(LayerNorm(x)), then x + FeedForward(LayerNorm(x)). Multi-head attention
/// without qkv bias; feed-forward Linear -> GELU (erf) -> Linear. Submodule names equal the
/// upstream keys below "transformer.layers.<i>.": "0.fn.norm", "0.fn.fn.to_qkv",
/// "0.fn.fn.to_out.0", "1.fn.norm", "1.fn.fn.net.0", "1.fn.fn.net.3".
class PreNormTransformerLayerImpl : public torch::nn::Module {
public:
    PreNormTransformerLayerImpl(int64_t dim, int64_t heads, int64_t hiddenDim, double dropout);

    /// B x N x dim -> B x N x dim; `layer` is this layer's index for `control`.
    torch::Tensor forward(const torch::Tensor& x, int layer, AttentionControl* control);

private:
    int64_t m_heads;
    double m_scale;
    double m_dropout;
    torch::nn::LayerNorm m_attentionNorm{nullptr}, m_feedForwardNorm{nullptr};
    torch::nn::Linear m_toQkv{nullptr}, m_toOut{nullptr}, m_hidden{nullptr}, m_output{nullptr};
};
TORCH_MODULE(PreNormTransformerLayer);

} // namespace tagscope::model
