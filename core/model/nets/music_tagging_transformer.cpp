// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/music_tagging_transformer.h"

#include <stdexcept>
#include <string>

#include "core/model/nets/controlled_attention.h"

namespace tagscope::model {
namespace {

using torch::nn::Module;

template <class T>
T hyperValue(const nlohmann::json& hyper, const char* key, T fallback) {
    if (!hyper.is_object() || !hyper.contains(key)) return fallback;
    const auto& v = hyper.at(key);
    if (!v.is_number()) throw std::invalid_argument(std::string("hyper-parameter '") + key + "' must be a number");
    return v.get<T>();
}

void requirePositive(int64_t value, const char* key) {
    if (value <= 0) throw std::invalid_argument(std::string("hyper-parameter '") + key + "' must be positive");
}

} // namespace

MusicTaggingTransformerConfig MusicTaggingTransformerConfig::fromJson(const nlohmann::json& hyper, int nTags) {
    MusicTaggingTransformerConfig c;
    c.convNdim = hyperValue(hyper, "conv_ndim", c.convNdim);
    c.nMels = hyperValue(hyper, "n_mels", c.nMels);
    c.attentionNdim = hyperValue(hyper, "attention_ndim", c.attentionNdim);
    c.attentionNheads = hyperValue(hyper, "attention_nheads", c.attentionNheads);
    c.attentionNlayers = hyperValue(hyper, "attention_nlayers", c.attentionNlayers);
    c.attentionMaxLen = hyperValue(hyper, "attention_max_len", c.attentionMaxLen);
    c.dropout = hyperValue(hyper, "dropout", c.dropout);
    c.nSeqCls = hyperValue<int64_t>(hyper, "n_seq_cls", nTags);
    for (auto [v, k] : {std::pair{c.convNdim, "conv_ndim"}, {c.nMels, "n_mels"}, {c.attentionNdim, "attention_ndim"},
                        {c.attentionNheads, "attention_nheads"}, {c.attentionNlayers, "attention_nlayers"},
                        {c.attentionMaxLen, "attention_max_len"}, {c.nSeqCls, "n_seq_cls"}})
        requirePositive(v, k);
    if (c.attentionNdim % c.attentionNheads != 0)
        throw std::invalid_argument("attention_ndim (" + std::to_string(c.attentionNdim) +
                                    ") must be a multiple of attention_nheads (" + std::to_string(c.attentionNheads) + ")");
    if (c.nMels < 8) throw std::invalid_argument("n_mels must be at least 8 (the front end halves it three times)");
    if (c.nSeqCls != nTags)
        throw std::invalid_argument("n_seq_cls (" + std::to_string(c.nSeqCls) + ") differs from the " +
                                    std::to_string(nTags) + " tags of the model");
    if (c.dropout < 0.0 || c.dropout >= 1.0) throw std::invalid_argument("dropout must be in [0, 1)");
    return c;
}

MusicTaggingTransformer::MusicTaggingTransformer(const MusicTaggingTransformerConfig& config) : m_config(config) {
    const auto& c = m_config;
    auto frontend = register_module("frontend", std::make_shared<Module>());
    m_inputBn = frontend->register_module("input_bn", torch::nn::BatchNorm2d(1));
    m_layer1 = frontend->register_module("layer1", ResidualConvBlock(1, c.convNdim, std::array<int64_t, 2>{1, 1},
                                                                      std::array<int64_t, 2>{2, 2}));
    m_layer2 = frontend->register_module("layer2", ResidualConvBlock(c.convNdim, c.convNdim, std::array<int64_t, 2>{1, 1},
                                                                      std::array<int64_t, 2>{2, 2}));
    m_layer3 = frontend->register_module("layer3", ResidualConvBlock(c.convNdim, c.convNdim, std::array<int64_t, 2>{1, 1},
                                                                      std::array<int64_t, 2>{2, 1}));
    m_fc = frontend->register_module("fc", torch::nn::Linear(c.nMels / 8 * c.convNdim, c.attentionNdim));

    m_posEmbedding = register_parameter("pos_embedding", torch::randn({1, c.attentionMaxLen + 1, c.attentionNdim}));
    m_clsToken = register_parameter("cls_token", torch::randn({c.attentionNdim}));

    auto layers = register_module("transformer", std::make_shared<Module>())
                      ->register_module("layers", std::make_shared<Module>());
    for (int64_t i = 0; i < c.attentionNlayers; ++i)
        m_layers.push_back(layers->register_module(
            std::to_string(i), PreNormTransformerLayer(c.attentionNdim, c.attentionNheads, 4 * c.attentionNdim, c.dropout)));

    auto head = register_module("mlp_head", std::make_shared<Module>());
    m_headNorm = head->register_module("0", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.attentionNdim})));
    m_headLinear = head->register_module("1", torch::nn::Linear(c.attentionNdim, c.nSeqCls));
}

int64_t MusicTaggingTransformer::tokenCount(int64_t nFrames) const { return nFrames / kFramesPerToken + 1; }

std::pair<int64_t, int64_t> MusicTaggingTransformer::tokenFrameSpan(int64_t token, int64_t nFrames) const {
    const int64_t last = tokenCount(nFrames) - 1;
    if (token <= 0 || token > last) return {0, nFrames};
    const int64_t first = (token - 1) * kFramesPerToken;
    return {first, token == last ? nFrames : first + kFramesPerToken};
}

torch::Tensor MusicTaggingTransformer::encode(const torch::Tensor& dbMel) {
    TORCH_CHECK(dbMel.dim() == 3 && dbMel.size(1) == m_config.nMels, "the Music Tagging Transformer expects a batch x ",
                m_config.nMels, " mel bands x frames spectrogram, got ", dbMel.sizes());
    const int64_t nTokens = dbMel.size(2) / kFramesPerToken;
    TORCH_CHECK(nTokens >= 1, "the Music Tagging Transformer needs at least ", kFramesPerToken, " mel frames");
    TORCH_CHECK(nTokens <= m_config.attentionMaxLen, "the input is too long for the Music Tagging Transformer: ",
                dbMel.size(2), " mel frames give ", nTokens, " tokens, at most ", m_config.attentionMaxLen, " fit");

    auto x = m_layer3(m_layer2(m_layer1(m_inputBn(dbMel.unsqueeze(1)))));
    const auto b = x.size(0), t = x.size(3);
    x = m_fc(x.permute({0, 3, 1, 2}).reshape({b, t, -1}));  // batch, time, channels * freq

    const auto cls = m_clsToken.view({1, 1, -1}).expand({b, 1, m_config.attentionNdim});
    x = torch::cat({cls, x}, 1);
    x = x + m_posEmbedding.narrow(1, 0, x.size(1));
    return torch::dropout(x, m_config.dropout, is_training());
}

torch::Tensor MusicTaggingTransformer::decode(const torch::Tensor& tokens, AttentionControl* attention) {
    beginAttentionPass(attention);
    auto x = tokens;
    for (size_t l = 0; l < m_layers.size(); ++l) x = m_layers[l]->forward(x, int(l), attention);
    return torch::sigmoid(m_headLinear(m_headNorm(x.select(1, 0))));
}

torch::Tensor MusicTaggingTransformer::forward(const torch::Tensor& dbMel, AttentionControl* attention) {
    return decode(encode(dbMel), attention);
}

void MusicTaggingTransformer::optimizeForInference() {
    for (auto* layer : {&m_layer1, &m_layer2, &m_layer3}) (*layer)->foldBatchNorm();
}

} // namespace tagscope::model
