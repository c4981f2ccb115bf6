// SPDX-License-Identifier: GPL-3.0-or-later
// CNNSA (Won, Chun & Serra 2019, "Toward interpretable music tagging with self-attention"), the
// network of minzwon/sota-music-tagging-models training/model.py with its state dict key names.
#pragma once

#include <nlohmann/json.hpp>

#include "core/model/nets/bert_layer.h"
#include "core/model/nets/residual_conv_block.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// Hyper-parameters with upstream names and defaults (BertConfig of CNNSA.__init__).
struct CnnsaConfig {
    int64_t nChannels = 128;           ///< "n_channels"; tokens have 2 * n_channels features
    int64_t nMels = 128;               ///< "n_mels" (at most 128: 7 stride-2 convs reduce it to 1)
    int64_t numHiddenLayers = 2;       ///< "num_hidden_layers"
    int64_t numAttentionHeads = 8;     ///< "num_attention_heads"
    int64_t intermediateSize = 1024;   ///< "intermediate_size"
    double hiddenDropout = 0.4;        ///< "hidden_dropout_prob" (training mode only)
    double attentionDropout = 0.5;     ///< "attention_probs_dropout_prob" (training mode only)
    int64_t nClass = 50;               ///< "n_class": output tags

    /// Reads the keys above from `hyper` (absent keys keep the defaults); n_class defaults to
    /// `nTags` and must equal it when given. Throws std::invalid_argument on bad values.
    static CnnsaConfig fromJson(const nlohmann::json& hyper, int nTags);
};

/// dB mel (B x n_mels x T) -> spec_bn -> 7 strided residual conv blocks (layer1..7, time
/// stride 2 in the first three) -> a fixed [CLS] vector prepended -> BERT encoder layers ->
/// tanh pooler on [CLS] -> dense -> sigmoid. One token per 8 mel frames.
class Cnnsa : public TaggerNet {
public:
    /// Builds the net with freshly initialised weights (load real ones with loadStateDict).
    explicit Cnnsa(const CnnsaConfig& config);

    const CnnsaConfig& config() const { return m_config; }
    /// The fixed [CLS] token (2 * n_channels values): upstream's numpy.random.seed(0);
    /// numpy.random.random(...) reproduced exactly, as float32. Not part of the state dict.
    const torch::Tensor& clsVector() const { return m_vecCls; }

    torch::Tensor forward(const torch::Tensor& dbMel, AttentionControl* attention = nullptr) override;
    bool hasAttention() const override { return true; }
    int attentionLayers() const override { return int(m_config.numHiddenLayers); }
    int attentionHeads() const override { return int(m_config.numAttentionHeads); }
    int64_t tokenCount(int64_t nFrames) const override;
    /// Token t >= 1 covers frames [8(t-1), min(8t, nFrames)) (the stride grid of the conv
    /// front end); the spans tile [0, nFrames). Token 0 ([CLS]) spans everything.
    std::pair<int64_t, int64_t> tokenFrameSpan(int64_t token, int64_t nFrames) const override;
    /// Throws c10::Error when the input is not B x n_mels x T.
    torch::Tensor encode(const torch::Tensor& dbMel) override;
    torch::Tensor decode(const torch::Tensor& tokens, AttentionControl* attention) override;
    /// Folds the conv blocks' batch norms into their convolutions (eval-mode inference only;
    /// the input batch norm stays, as the zero padding after it makes folding inexact).
    void optimizeForInference() override;

private:
    static constexpr int64_t kFramesPerToken = 8;

    CnnsaConfig m_config;
    torch::nn::BatchNorm2d m_specBn{nullptr};
    std::vector<ResidualConvBlock> m_convLayers;
    std::vector<BertLayer> m_encoderLayers;
    torch::nn::Linear m_pooler{nullptr}, m_dense{nullptr};
    torch::Tensor m_vecCls;
};

} // namespace tagscope::model
