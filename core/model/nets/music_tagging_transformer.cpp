// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/music_tagging_transformer.h"

#include <algorithm>
#include <cmath>
#include <limits>
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
    if (hyper.is_object() && hyper.contains("coarse_head")) {
        const auto& head = hyper.at("coarse_head");
        if (!head.is_string()) throw std::invalid_argument("hyper-parameter 'coarse_head' must be a string");
        c.coarseHead = head.get<std::string>();
        if (!c.coarseHead.empty() && c.coarseHead != "rule" && c.coarseHead != "attention")
            throw std::invalid_argument("coarse_head '" + c.coarseHead + "' is not one of rule, attention");
        if (!c.coarseHead.empty()) {
            if (!hyper.contains("coarse_groups") || !hyper.at("coarse_groups").is_array() || hyper.at("coarse_groups").empty())
                throw std::invalid_argument("coarse_head '" + c.coarseHead + "' needs a non-empty coarse_groups list");
            for (const auto& group : hyper.at("coarse_groups")) {
                if (!group.is_array() || group.empty())
                    throw std::invalid_argument("every coarse group must list at least one fine tag index");
                std::vector<int64_t> members;
                for (const auto& m : group) {
                    if (!m.is_number_integer()) throw std::invalid_argument("coarse group members must be tag indices");
                    members.push_back(m.get<int64_t>());
                }
                c.coarseGroups.push_back(std::move(members));
            }
        }
        if (hyper.contains("coarse_attention_scope")) {
            const auto& scope = hyper.at("coarse_attention_scope");
            if (!scope.is_string() || (scope != "all" && scope != "members"))
                throw std::invalid_argument("coarse_attention_scope must be \"all\" or \"members\"");
            if (c.coarseHead != "attention")
                throw std::invalid_argument("coarse_attention_scope applies to an attention coarse head only");
            c.coarseAttentionScope = scope.get<std::string>();
        }
    }
    c.nSeqCls = hyperValue<int64_t>(hyper, "n_seq_cls", nTags - c.coarseCount());
    for (auto [v, k] : {std::pair{c.convNdim, "conv_ndim"}, {c.nMels, "n_mels"}, {c.attentionNdim, "attention_ndim"},
                        {c.attentionNheads, "attention_nheads"}, {c.attentionNlayers, "attention_nlayers"},
                        {c.attentionMaxLen, "attention_max_len"}, {c.nSeqCls, "n_seq_cls"}})
        requirePositive(v, k);
    if (c.attentionNdim % c.attentionNheads != 0)
        throw std::invalid_argument("attention_ndim (" + std::to_string(c.attentionNdim) +
                                    ") must be a multiple of attention_nheads (" + std::to_string(c.attentionNheads) + ")");
    if (c.nMels < 8) throw std::invalid_argument("n_mels must be at least 8 (the front end halves it three times)");
    if (c.nSeqCls + c.coarseCount() != nTags)
        throw std::invalid_argument("n_seq_cls (" + std::to_string(c.nSeqCls) + ")" +
                                    (c.coarseCount() ? " plus " + std::to_string(c.coarseCount()) + " coarse groups" : "") +
                                    " differs from the " + std::to_string(nTags) + " tags of the model");
    for (const auto& group : c.coarseGroups)
        for (int64_t m : group)
            if (m < 0 || m >= c.nSeqCls)
                throw std::invalid_argument("coarse group member " + std::to_string(m) + " is not a fine tag index (0.." +
                                            std::to_string(c.nSeqCls - 1) + ")");
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

    const int64_t groups = c.coarseCount();
    if (c.coarseHead == "rule") {
        size_t most = 0;
        for (const auto& g : c.coarseGroups) most = std::max(most, g.size());
        m_groupIndex = torch::zeros({groups, int64_t(most)}, torch::kLong);
        m_groupMask = torch::zeros({groups, int64_t(most)}, torch::kBool);
        for (int64_t g = 0; g < groups; ++g)
            for (size_t k = 0; k < c.coarseGroups[size_t(g)].size(); ++k) {
                m_groupIndex[g][int64_t(k)] = c.coarseGroups[size_t(g)][k];
                m_groupMask[g][int64_t(k)] = true;
            }
    } else if (c.coarseHead == "attention") {
        auto coarse = register_module("coarse_head", std::make_shared<Module>());
        const int64_t d = c.attentionNdim;
        m_coarseQuery = coarse->register_parameter("query", torch::randn({groups, d}) / std::sqrt(double(d)));
        m_coarseKey = coarse->register_module("key", torch::nn::Linear(torch::nn::LinearOptions(d, d).bias(false)));
        m_coarseValue = coarse->register_module("value", torch::nn::Linear(torch::nn::LinearOptions(d, d).bias(false)));
        m_coarseOut = coarse->register_parameter("out", torch::ones({groups, d}));
        m_coarseBias = coarse->register_parameter("bias", torch::zeros({groups}));
        // NOTE: values start as the identity and outputs as ones, so a fresh head's coarse logit
        // is the attention-weighted mean of its fine logits (less their biases): a group starts
        // out following the tags it attends to, and the queries learn which those are.
        torch::NoGradGuard noGrad;
        m_coarseValue->weight.copy_(torch::eye(d));
        if (c.coarseAttentionScope == "members") {
            m_attentionMask = torch::zeros({groups, c.nSeqCls}, torch::kBool);
            for (int64_t g = 0; g < groups; ++g)
                for (int64_t m : c.coarseGroups[size_t(g)]) m_attentionMask[g][m] = true;
        }
    }
}

int64_t MusicTaggingTransformer::tokenCount(int64_t nFrames) const { return nFrames / kFramesPerToken + 1; }

int64_t MusicTaggingTransformer::maxFrames() const { return (m_config.attentionMaxLen + 1) * kFramesPerToken - 1; }

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
    return head(x, attention && attention->captureCoarse ? &attention->coarseRelation : nullptr);
}

torch::Tensor MusicTaggingTransformer::head(const torch::Tensor& tokens, torch::Tensor* attentionOut) {
    const auto feature = m_headNorm(tokens.select(1, 0)); // B x D
    auto fine = torch::sigmoid(m_headLinear(feature));    // B x F
    if (m_config.coarseHead == "rule") {
        const int64_t b = fine.size(0), groups = m_groupIndex.size(0), most = m_groupIndex.size(1);
        auto members = fine.index_select(1, m_groupIndex.to(fine.device()).reshape({-1})).reshape({b, groups, most});
        // NOTE: padded slots read tag 0 and are masked to 0, below any probability of a member.
        auto coarse = std::get<0>(members.masked_fill(~m_groupMask.to(fine.device()), 0.0).max(2));
        return torch::cat({fine, coarse}, 1);
    }
    if (m_config.coarseHead == "attention") {
        // Fine-tag representations: the contribution of each feature dimension to each fine
        // logit (its weight row times the feature), B x F x D; they sum to the logit minus bias.
        const double scale = 1.0 / std::sqrt(double(m_config.attentionNdim));
        auto representation = feature.unsqueeze(1) * m_headLinear->weight.unsqueeze(0);
        auto keys = m_coarseKey(representation), values = m_coarseValue(representation);
        auto scores = torch::matmul(keys, m_coarseQuery.t()).transpose(1, 2) * scale; // B x G x F
        // NOTE: every group has a member, so a masked row never softmaxes over nothing.
        if (m_attentionMask.defined())
            scores = scores.masked_fill(~m_attentionMask.to(scores.device()), -std::numeric_limits<double>::infinity());
        auto weights = torch::softmax(scores, 2);
        if (attentionOut) *attentionOut = weights;
        auto pooled = torch::matmul(weights, values);                                                     // B x G x D
        auto coarse = torch::sigmoid((pooled * m_coarseOut.unsqueeze(0)).sum(2) + m_coarseBias);
        return torch::cat({fine, coarse}, 1);
    }
    return fine;
}

torch::Tensor MusicTaggingTransformer::coarseAttention(const torch::Tensor& tokens) {
    TORCH_CHECK(m_config.coarseHead == "attention", "this Music Tagging Transformer has no attention coarse head");
    auto x = tokens;
    for (size_t l = 0; l < m_layers.size(); ++l) x = m_layers[l]->forward(x, int(l), nullptr);
    torch::Tensor weights;
    head(x, &weights);
    return weights;
}

torch::Tensor MusicTaggingTransformer::forward(const torch::Tensor& dbMel, AttentionControl* attention) {
    return decode(encode(dbMel), attention);
}

void MusicTaggingTransformer::optimizeForInference() {
    for (auto* layer : {&m_layer1, &m_layer2, &m_layer3}) (*layer)->foldBatchNorm();
}

} // namespace tagscope::model
