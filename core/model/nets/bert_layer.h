// SPDX-License-Identifier: GPL-3.0-or-later
// One post-norm BERT encoder layer (pytorch-pretrained-BERT), as used by CNNSA.
#pragma once

#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// Self-attention with biased query/key/value, output dense + LayerNorm (eps 1e-12) on the
/// residual, then intermediate dense + GELU (erf) and output dense + LayerNorm on the residual.
/// Submodule names equal the upstream keys below "encoder.layer.<i>.": attention.self.{query,
/// key,value}, attention.output.{dense,LayerNorm}, intermediate.dense, output.{dense,LayerNorm}.
class BertLayerImpl : public torch::nn::Module {
public:
    BertLayerImpl(int64_t hidden, int64_t heads, int64_t intermediate, double hiddenDropout, double attentionDropout);

    /// B x N x hidden -> B x N x hidden; `layer` is this layer's index for `control`.
    torch::Tensor forward(const torch::Tensor& x, int layer, AttentionControl* control);

private:
    int64_t m_heads;
    double m_hiddenDropout, m_attentionDropout;
    torch::nn::Linear m_query{nullptr}, m_key{nullptr}, m_value{nullptr}, m_attentionDense{nullptr};
    torch::nn::LayerNorm m_attentionNorm{nullptr}, m_outputNorm{nullptr};
    torch::nn::Linear m_intermediate{nullptr}, m_outputDense{nullptr};
};
TORCH_MODULE(BertLayer);

} // namespace tagscope::model
