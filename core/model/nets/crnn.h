// SPDX-License-Identifier: GPL-3.0-or-later
// CRNN (Choi et al. 2017, "Convolutional recurrent neural networks for music classification")
// as in minzwon/sota-music-tagging-models training/model.py. Include only from core/model and tests.
#pragma once

#include <cstdint>
#include <memory>

#include "core/model/nets/sota_blocks.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// Convolutional recurrent tagger: spec_bn, four Conv_2d blocks (64-128-128-128 channels,
/// pooling 2, 3, 4, 4: 96 mel bands -> 1), a two-layer GRU (128 -> 32, batch first) whose last
/// step feeds dense 32 -> nTags, sigmoid. Works on any chunk of at least 96 frames
/// (upstream: 29.1 s = 1813 frames). Hyper-parameters: none.
class Crnn : public TaggerNet {
public:
    /// Mel bands the architecture is built for.
    static constexpr int64_t kMels = 96;

    explicit Crnn(int nTags);

    /// dB mel (B x 96 x T) -> probabilities (B x nTags). `attention` is ignored.
    torch::Tensor forward(const torch::Tensor& dbMel, AttentionControl* attention = nullptr) override;
    /// Folds every batch norm after a convolution into it.
    void optimizeForInference() override;

private:
    torch::nn::BatchNorm2d m_specBn{nullptr};
    std::shared_ptr<sota::Conv2dBlock> m_layers[4];
    torch::nn::GRU m_gru{nullptr};
    torch::nn::Linear m_dense{nullptr};
};

} // namespace tagscope::model
