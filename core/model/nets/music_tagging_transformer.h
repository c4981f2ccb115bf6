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
    int64_t nSeqCls = 50;           ///< "n_seq_cls": output tags

    /// Reads the keys above from `hyper` (absent keys keep the defaults); n_seq_cls defaults to
    /// `nTags` and must equal it when given. Throws std::invalid_argument on bad values.
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
    int attentionLayers() const override { return int(m_config.attentionNlayers); }
    int attentionHeads() const override { return int(m_config.attentionNheads); }
    int64_t tokenCount(int64_t nFrames) const override;
    /// Token t >= 1 covers frames [4(t-1), 4t); the last token also takes the 1-3 frames the
    /// pooling drops, so the spans tile [0, nFrames). Token 0 ([CLS]) spans everything.
    std::pair<int64_t, int64_t> tokenFrameSpan(int64_t token, int64_t nFrames) const override;
    /// Throws c10::Error when the input is not B x n_mels x T or yields more than
    /// attention_max_len tokens.
    torch::Tensor encode(const torch::Tensor& dbMel) override;
    torch::Tensor decode(const torch::Tensor& tokens, AttentionControl* attention) override;
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
};

} // namespace tagscope::model
