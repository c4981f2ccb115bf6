// SPDX-License-Identifier: GPL-3.0-or-later
// FCN (Choi et al. 2016, "Automatic tagging using deep convolutional neural networks") as in
// minzwon/sota-music-tagging-models training/model.py. Include only from core/model and tests.
#pragma once

#include <cstdint>
#include <memory>

#include "core/model/nets/sota_blocks.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// Fully convolutional tagger: spec_bn, five Conv_2d blocks (64-128-128-128-64 channels,
/// pooling (2,4) (2,4) (2,4) (3,5) (4,4)), dense 64 -> nTags, sigmoid. Hyper-parameters: none
/// (96 mel bands). The pooling reduces 96 x 1813 frames (29.1 s at 16 kHz, hop 256) to 1 x 1;
/// forward rejects chunk lengths that do not reduce to a single frame.
class Fcn : public TaggerNet {
public:
    /// Mel bands the architecture is built for.
    static constexpr int64_t kMels = 96;

    explicit Fcn(int nTags);

    /// dB mel (B x 96 x T, T in the 29.1 s range) -> probabilities (B x nTags). `attention` is ignored.
    torch::Tensor forward(const torch::Tensor& dbMel, AttentionControl* attention = nullptr) override;
    /// Folds every batch norm after a convolution into it (spec_bn stays: it acts before zero padding).
    void optimizeForInference() override;

private:
    torch::nn::BatchNorm2d m_specBn{nullptr};
    std::shared_ptr<sota::Conv2dBlock> m_layers[5];
    torch::nn::Linear m_dense{nullptr};
};

} // namespace tagscope::model
