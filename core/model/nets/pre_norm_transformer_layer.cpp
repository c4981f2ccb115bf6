// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/pre_norm_transformer_layer.h"

#include <cmath>

#include "core/model/nets/controlled_attention.h"

namespace tagscope::model {
namespace {

using torch::nn::Module;

// NOTE: upstream wraps each sublayer as Residual(PreNorm(fn)), which only shows in the key names;
// plain Modules act as the path components so the state dict keys match without those classes.
std::shared_ptr<Module> child(Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<Module>());
}

} // namespace

PreNormTransformerLayerImpl::PreNormTransformerLayerImpl(int64_t dim, int64_t heads, int64_t hiddenDim,
                                                         double dropout)
    : m_heads(heads), m_scale(1.0 / std::sqrt(double(dim / heads))), m_dropout(dropout) {
    auto attention = child(*child(*this, "0"), "fn");
    m_attentionNorm = attention->register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    auto attentionFn = child(*attention, "fn");
    m_toQkv = attentionFn->register_module("to_qkv",
                                           torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim).bias(false)));
    m_toOut = child(*attentionFn, "to_out")->register_module("0", torch::nn::Linear(dim, dim));

    auto feedForward = child(*child(*this, "1"), "fn");
    m_feedForwardNorm = feedForward->register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    auto net = child(*child(*feedForward, "fn"), "net");
    m_hidden = net->register_module("0", torch::nn::Linear(dim, hiddenDim));
    m_output = net->register_module("3", torch::nn::Linear(hiddenDim, dim));
}

torch::Tensor PreNormTransformerLayerImpl::forward(const torch::Tensor& x, int layer, AttentionControl* control) {
    const auto b = x.size(0), n = x.size(1), dim = x.size(2);
    const bool training = is_training();

    // 'b n (h d) -> b h n d' for each of q, k, v
    const auto qkv = m_toQkv(m_attentionNorm(x)).view({b, n, 3, m_heads, dim / m_heads}).permute({2, 0, 3, 1, 4});
    auto context = controlledAttention(qkv[0], qkv[1], qkv[2], m_scale, layer, control, 0.0, training);
    context = context.permute({0, 2, 1, 3}).reshape({b, n, dim});
    auto y = x + torch::dropout(m_toOut(context), m_dropout, training);

    auto hidden = torch::dropout(torch::gelu(m_hidden(m_feedForwardNorm(y))), m_dropout, training);
    return y + torch::dropout(m_output(hidden), m_dropout, training);
}

} // namespace tagscope::model
