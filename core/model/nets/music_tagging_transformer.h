// SPDX-License-Identifier: GPL-3.0-or-later
// Music Tagging Transformer (Won, Choi & Serra, ISMIR 2021), the network of
// minzwon/semi-supervised-music-tagging-transformer with its state dict key names.
#pragma once

#include <nlohmann/json.hpp>

#include "core/model/nets/pre_norm_transformer_layer.h"
#include "core/model/nets/residual_conv_block.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// Hyper-parameters, named and defaulted as upstream's MusicTaggingTransformer.__init__.
struct MusicTaggingTransformerConfig {
    int64_t convNdim = 16;          ///< "conv_ndim": channels of the residual conv front end
    int64_t nMels = 128;            ///< "n_mels"
    int64_t attentionNdim = 256;    ///< "attention_ndim": token width
    int64_t attentionNheads = 8;    ///< "attention_nheads"
    int64_t attentionNlayers = 4;   ///< "attention_nlayers"
    int64_t attentionMaxLen = 512;  ///< "attention_max_len": most tokens (without [CLS])
    double dropout = 0.1;           ///< "dropout" (training mode only)
    int64_t nSeqCls = 50;           ///< "n_seq_cls": fine output tags
    /// Tagscope extension (absent upstream): coarse outputs learned jointly with the fine tags
    /// (Zhong et al., ICASSP 2023), appended after the n_seq_cls fine outputs, one per group.
    /// "coarse_head": "" (none), "rule" (grouped max-pooling: a group's probability is the max
    /// of its members' fine probabilities; no parameters) or "attention" (each group has a
    /// learned query attending over the fine-tag representations; see coarseAttention()).
    std::string coarseHead;
    /// "coarse_groups": per group, the indices of its member fine tags (0 .. n_seq_cls - 1).
    std::vector<std::vector<int64_t>> coarseGroups;
    /// "coarse_attention_scope" of an "attention" head: "all" (default; each group attends over
    /// every fine tag) or "members" (a group's softmax runs over its own member tags only, the
    /// paper's coarse-from-children: the weights then say which members made the group).
    std::string coarseAttentionScope = "all";

    int64_t coarseCount() const { return coarseHead.empty() ? 0 : int64_t(coarseGroups.size()); }

    /// Reads the keys above from `hyper` (absent keys keep the defaults); n_seq_cls defaults to
    /// `nTags` minus the coarse groups and must add up to `nTags` with them. Throws
    /// std::invalid_argument on bad values.
    static MusicTaggingTransformerConfig fromJson(const nlohmann::json& hyper, int nTags);
};

/// dB mel (B x n_mels x T) -> frontend.input_bn -> 3 residual conv blocks pooling (2,2),
/// (2,2), (2,1) -> Linear to tokens -> [CLS] + positional embedding -> pre-norm transformer
/// layers -> LayerNorm + Linear on [CLS] -> sigmoid. One token per 4 mel frames.
class MusicTaggingTransformer : public TaggerNet {
public:
    /// Builds the net with freshly initialised weights (load real ones with loadStateDict).
    explicit MusicTaggingTransformer(const MusicTaggingTransformerConfig& config);

    const MusicTaggingTransformerConfig& config() const { return m_config; }

    torch::Tensor forward(const torch::Tensor& dbMel, AttentionControl* attention = nullptr) override;
    bool hasAttention() const override { return true; }
    bool hasCoarseAttention() const override { return m_config.coarseHead == "attention"; }
    int attentionLayers() const override { return int(m_config.attentionNlayers); }
    int attentionHeads() const override { return int(m_config.attentionNheads); }
    int64_t tokenCount(int64_t nFrames) const override;
    /// attention_max_len tokens of 4 frames (and the 1-3 frames the pooling drops).
    int64_t maxFrames() const override;
    /// Token t >= 1 covers frames [4(t-1), 4t); the last token also takes the 1-3 frames the
    /// pooling drops, so the spans tile [0, nFrames). Token 0 ([CLS]) spans everything.
    std::pair<int64_t, int64_t> tokenFrameSpan(int64_t token, int64_t nFrames) const override;
    /// Throws c10::Error when the input is not B x n_mels x T or yields more than
    /// attention_max_len tokens.
    torch::Tensor encode(const torch::Tensor& dbMel) override;
    torch::Tensor decode(const torch::Tensor& tokens, AttentionControl* attention) override;
    /// Attention of each coarse group over the fine tags (B x groups x n_seq_cls, rows sum to 1)
    /// for `tokens` from encode(): the learned coarse-to-fine relation of an "attention" head
    /// on this input. Throws c10::Error for other heads.
    torch::Tensor coarseAttention(const torch::Tensor& tokens);
    /// Folds the conv blocks' batch norms into their convolutions (eval-mode inference only;
    /// the input batch norm stays, as the zero padding after it makes folding inexact).
    void optimizeForInference() override;

private:
    static constexpr int64_t kFramesPerToken = 4;

    MusicTaggingTransformerConfig m_config;
    torch::nn::BatchNorm2d m_inputBn{nullptr};
    ResidualConvBlock m_layer1{nullptr}, m_layer2{nullptr}, m_layer3{nullptr};
    torch::nn::Linear m_fc{nullptr};
    torch::Tensor m_posEmbedding, m_clsToken;
    std::vector<PreNormTransformerLayer> m_layers;
    torch::nn::LayerNorm m_headNorm{nullptr};
    torch::nn::Linear m_headLinear{nullptr};
    // Attention coarse head: per-group queries, key/value maps of the fine-tag representations
    // (the head's weight rows scaled by the [CLS] feature), per-group output vectors and biases.
    torch::Tensor m_coarseQuery, m_coarseOut, m_coarseBias;
    torch::nn::Linear m_coarseKey{nullptr}, m_coarseValue{nullptr};
    torch::Tensor m_groupIndex, m_groupMask; // rule head: G x most members (padded), valid mask
    torch::Tensor m_attentionMask;           // attention head scoped to members: G x F, true = member

    torch::Tensor head(const torch::Tensor& tokens, torch::Tensor* attentionOut);
};

} // namespace tagscope::model
