// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/bert_layer.h"

#include <cmath>

#include "core/model/nets/controlled_attention.h"

namespace tagscope::model {
namespace {

using torch::nn::Module;

constexpr double kLayerNormEps = 1e-12;

std::shared_ptr<Module> child(Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<Module>());
}

torch::nn::LayerNorm layerNorm(int64_t dim) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(kLayerNormEps));
}

} // namespace

BertLayerImpl::BertLayerImpl(int64_t hidden, int64_t heads, int64_t intermediate, double hiddenDropout,
                             double attentionDropout)
    : m_heads(heads), m_hiddenDropout(hiddenDropout), m_attentionDropout(attentionDropout) {
    auto attention = child(*this, "attention");
    auto self = child(*attention, "self");
    m_query = self->register_module("query", torch::nn::Linear(hidden, hidden));
    m_key = self->register_module("key", torch::nn::Linear(hidden, hidden));
    m_value = self->register_module("value", torch::nn::Linear(hidden, hidden));
    auto attentionOutput = child(*attention, "output");
    m_attentionDense = attentionOutput->register_module("dense", torch::nn::Linear(hidden, hidden));
    m_attentionNorm = attentionOutput->register_module("LayerNorm", layerNorm(hidden));
    m_intermediate = child(*this, "intermediate")->register_module("dense", torch::nn::Linear(hidden, intermediate));
    auto output = child(*this, "output");
    m_outputDense = output->register_module("dense", torch::nn::Linear(intermediate, hidden));
    m_outputNorm = output->register_module("LayerNorm", layerNorm(hidden));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& x, int layer, AttentionControl* control) {
    const auto b = x.size(0), n = x.size(1), hidden = x.size(2), headSize = hidden / m_heads;
    const bool training = is_training();
    auto heads = [&](const torch::Tensor& t) { return t.view({b, n, m_heads, headSize}).permute({0, 2, 1, 3}); };

    auto context = controlledAttention(heads(m_query(x)), heads(m_key(x)), heads(m_value(x)),
                                       1.0 / std::sqrt(double(headSize)), layer, control, m_attentionDropout, training);
    context = context.permute({0, 2, 1, 3}).reshape({b, n, hidden});
    const auto attended =
        m_attentionNorm(torch::dropout(m_attentionDense(context), m_hiddenDropout, training) + x);

    const auto inner = torch::gelu(m_intermediate(attended));
    return m_outputNorm(torch::dropout(m_outputDense(inner), m_hiddenDropout, training) + attended);
}

} // namespace tagscope::model
