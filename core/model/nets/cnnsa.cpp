// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/cnnsa.h"

#include <random>
#include <stdexcept>
#include <string>

#include "core/model/nets/controlled_attention.h"

namespace tagscope::model {
namespace {

using torch::nn::Module;
using Stride = std::array<int64_t, 2>;

template <class T>
T hyperValue(const nlohmann::json& hyper, const char* key, T fallback) {
    if (!hyper.is_object() || !hyper.contains(key)) return fallback;
    const auto& v = hyper.at(key);
    if (!v.is_number()) throw std::invalid_argument(std::string("hyper-parameter '") + key + "' must be a number");
    return v.get<T>();
}

int64_t halfUp(int64_t n) { return (n + 1) / 2; }

// NOTE: numpy.random.seed(int) seeds MT19937 with init_genrand, exactly as std::mt19937(seed),
// and random() builds each 53-bit double from two 32-bit draws (a >> 5, b >> 6).
torch::Tensor numpyRandom(uint32_t seed, int64_t count) {
    std::mt19937 engine(seed);
    auto out = torch::empty({count}, torch::kFloat32);
    auto* p = out.data_ptr<float>();
    for (int64_t i = 0; i < count; ++i) {
        const uint32_t a = engine() >> 5, b = engine() >> 6;
        p[i] = float((double(a) * 67108864.0 + double(b)) / 9007199254740992.0);
    }
    return out;
}

} // namespace

CnnsaConfig CnnsaConfig::fromJson(const nlohmann::json& hyper, int nTags) {
    CnnsaConfig c;
    c.nChannels = hyperValue(hyper, "n_channels", c.nChannels);
    c.nMels = hyperValue(hyper, "n_mels", c.nMels);
    c.numHiddenLayers = hyperValue(hyper, "num_hidden_layers", c.numHiddenLayers);
    c.numAttentionHeads = hyperValue(hyper, "num_attention_heads", c.numAttentionHeads);
    c.intermediateSize = hyperValue(hyper, "intermediate_size", c.intermediateSize);
    c.hiddenDropout = hyperValue(hyper, "hidden_dropout_prob", c.hiddenDropout);
    c.attentionDropout = hyperValue(hyper, "attention_probs_dropout_prob", c.attentionDropout);
    c.nClass = hyperValue<int64_t>(hyper, "n_class", nTags);
    for (auto [v, k] : {std::pair{c.nChannels, "n_channels"}, {c.nMels, "n_mels"}, {c.numHiddenLayers, "num_hidden_layers"},
                        {c.numAttentionHeads, "num_attention_heads"}, {c.intermediateSize, "intermediate_size"},
                        {c.nClass, "n_class"}})
        if (v <= 0) throw std::invalid_argument(std::string("hyper-parameter '") + k + "' must be positive");
    if (c.nMels > 128) throw std::invalid_argument("CNNSA takes at most 128 mel bands (its conv front end reduces them to one)");
    if ((2 * c.nChannels) % c.numAttentionHeads != 0)
        throw std::invalid_argument("2 * n_channels must be a multiple of num_attention_heads");
    if (c.nClass != nTags)
        throw std::invalid_argument("n_class (" + std::to_string(c.nClass) + ") differs from the " +
                                    std::to_string(nTags) + " tags of the model");
    for (double p : {c.hiddenDropout, c.attentionDropout})
        if (p < 0.0 || p >= 1.0) throw std::invalid_argument("dropout probabilities must be in [0, 1)");
    return c;
}

Cnnsa::Cnnsa(const CnnsaConfig& config) : m_config(config) {
    const int64_t c = m_config.nChannels, hidden = 2 * c;
    m_specBn = register_module("spec_bn", torch::nn::BatchNorm2d(1));
    const std::array<std::tuple<int64_t, int64_t, Stride>, 7> blocks{{{1, c, {2, 2}},
                                                                      {c, c, {2, 2}},
                                                                      {c, hidden, {2, 2}},
                                                                      {hidden, hidden, {2, 1}},
                                                                      {hidden, hidden, {2, 1}},
                                                                      {hidden, hidden, {2, 1}},
                                                                      {hidden, hidden, {2, 1}}}};
    for (size_t i = 0; i < blocks.size(); ++i) {
        const auto& [in, out, stride] = blocks[i];
        m_convLayers.push_back(
            register_module("layer" + std::to_string(i + 1), ResidualConvBlock(in, out, stride, Stride{1, 1})));
    }
    auto layers = register_module("encoder", std::make_shared<Module>())->register_module("layer", std::make_shared<Module>());
    for (int64_t i = 0; i < m_config.numHiddenLayers; ++i)
        m_encoderLayers.push_back(layers->register_module(
            std::to_string(i), BertLayer(hidden, m_config.numAttentionHeads, m_config.intermediateSize,
                                         m_config.hiddenDropout, m_config.attentionDropout)));
    m_pooler = register_module("pooler", std::make_shared<Module>())->register_module("dense", torch::nn::Linear(hidden, hidden));
    m_dense = register_module("dense", torch::nn::Linear(hidden, m_config.nClass));
    m_vecCls = numpyRandom(0, hidden);
}

int64_t Cnnsa::tokenCount(int64_t nFrames) const { return halfUp(halfUp(halfUp(nFrames))) + 1; }

std::pair<int64_t, int64_t> Cnnsa::tokenFrameSpan(int64_t token, int64_t nFrames) const {
    if (token <= 0 || token >= tokenCount(nFrames)) return {0, nFrames};
    const int64_t first = (token - 1) * kFramesPerToken;
    return {first, std::min(first + kFramesPerToken, nFrames)};
}

torch::Tensor Cnnsa::encode(const torch::Tensor& dbMel) {
    TORCH_CHECK(dbMel.dim() == 3 && dbMel.size(1) == m_config.nMels, "CNNSA expects a batch x ", m_config.nMels,
                " mel bands x frames spectrogram, got ", dbMel.sizes());
    TORCH_CHECK(dbMel.size(2) >= 1, "CNNSA needs at least one mel frame");
    auto x = m_specBn(dbMel.unsqueeze(1));
    for (auto& layer : m_convLayers) x = layer(x);
    x = x.squeeze(2).permute({0, 2, 1});  // batch, time, channels
    const auto cls = m_vecCls.to(x.device(), x.scalar_type()).view({1, 1, -1}).expand({x.size(0), 1, x.size(2)});
    return torch::cat({cls, x}, 1);
}

torch::Tensor Cnnsa::decode(const torch::Tensor& tokens, AttentionControl* attention) {
    beginAttentionPass(attention);
    auto x = tokens;
    for (size_t l = 0; l < m_encoderLayers.size(); ++l) x = m_encoderLayers[l]->forward(x, int(l), attention);
    const auto pooled = torch::tanh(m_pooler(x.select(1, 0)));
    return torch::sigmoid(m_dense(torch::dropout(pooled, 0.5, is_training())));
}

torch::Tensor Cnnsa::forward(const torch::Tensor& dbMel, AttentionControl* attention) {
    return decode(encode(dbMel), attention);
}

void Cnnsa::optimizeForInference() {
    for (auto& layer : m_convLayers) layer->foldBatchNorm();
}

} // namespace tagscope::model
