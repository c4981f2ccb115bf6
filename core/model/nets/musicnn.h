// SPDX-License-Identifier: GPL-3.0-or-later
// MusiCNN (Pons et al. 2017, "End-to-end learning for music audio tagging at scale") as in
// minzwon/sota-music-tagging-models training/model.py (class Musicnn).
// Include only from core/model and tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/model/nets/sota_blocks.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// Widths of MusiCNN's back end. Upstream derives them from its `dataset` argument:
/// 'msd' -> 512 / 500, anything else ('mtat', 'jamendo') -> 64 / 200.
struct MusicnnOptions {
    int64_t backendChannels = 64; ///< channels of the three residual Conv_1d layers
    int64_t denseChannels = 200;  ///< width of dense1 / bn

    /// Upstream widths for "mtat", "msd" or "jamendo"; nullopt for other names.
    static std::optional<MusicnnOptions> forDataset(const std::string& dataset);
};

namespace sota {

/// Upstream Conv_V: Conv2d(1, out, (height, 7), padding (0, 3)), BatchNorm2d, ReLU, then the
/// maximum over the remaining frequency rows: B x 1 x F x T -> B x out x T.
class VerticalConv : public torch::nn::Module {
public:
    VerticalConv(int64_t outChannels, int64_t height, int64_t width);
    torch::Tensor forward(const torch::Tensor& x);
    /// Folds `bn` into `conv` (eval mode).
    void foldBatchNorm();

private:
    torch::nn::Conv2d m_conv{nullptr};
    torch::nn::BatchNorm2d m_bn{nullptr};
    bool m_folded = false;
};

/// Upstream Conv_H: mean over frequency, then Conv1d(1, out, length, padding length/2),
/// BatchNorm1d, ReLU: B x 1 x F x T -> B x out x T.
class HorizontalConv : public torch::nn::Module {
public:
    HorizontalConv(int64_t outChannels, int64_t length);
    torch::Tensor forward(const torch::Tensor& x);
    /// Folds `bn` into `conv` (eval mode).
    void foldBatchNorm();

private:
    torch::nn::Conv1d m_conv{nullptr};
    torch::nn::BatchNorm1d m_bn{nullptr};
    bool m_folded = false;
};

} // namespace sota

/// MusiCNN tagger: spec_bn, a front end of two vertical (timbre) and three horizontal
/// (temporal) filter banks (561 channels), three residual Conv_1d layers, global max and mean
/// pooling over time, dense1 + bn + ReLU, dense2, sigmoid. Works on any chunk length
/// (upstream: 3 s = 188 frames). Hyper-parameters: see MusicnnOptions.
class Musicnn : public TaggerNet {
public:
    /// Mel bands the architecture is built for (its filter heights are 0.7 and 0.4 of 96).
    static constexpr int64_t kMels = 96;
    /// Channels of the concatenated front end (2 x 204 + 3 x 51).
    static constexpr int64_t kFrontEndChannels = 561;

    Musicnn(const MusicnnOptions& options, int nTags);

    /// dB mel (B x 96 x T) -> probabilities (B x nTags). `attention` is ignored.
    torch::Tensor forward(const torch::Tensor& dbMel, AttentionControl* attention = nullptr) override;
    /// Folds the batch norms of the front end, the back end and the dense layer.
    void optimizeForInference() override;
    const MusicnnOptions& options() const { return m_options; }

private:
    MusicnnOptions m_options;
    torch::nn::BatchNorm2d m_specBn{nullptr};
    std::shared_ptr<sota::VerticalConv> m_vertical[2];
    std::shared_ptr<sota::HorizontalConv> m_horizontal[3];
    std::shared_ptr<sota::Conv1dBlock> m_backEnd[3];
    torch::nn::Linear m_dense1{nullptr};
    torch::nn::BatchNorm1d m_bn{nullptr};
    torch::nn::Linear m_dense2{nullptr};
    bool m_folded = false;
};

} // namespace tagscope::model
