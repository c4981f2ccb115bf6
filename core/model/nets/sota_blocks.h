// SPDX-License-Identifier: GPL-3.0-or-later
// Building blocks shared by the sota-music-tagging-models architectures (FCN, MusiCNN, CRNN):
// upstream training/modules.py Conv_2d and Conv_1d, plus batch-norm folding.
// Include only from core/model and tests.
#pragma once

#include <cstdint>
#include <vector>

#include "core/model/torch_shim.h"

namespace tagscope::model::sota {

/// Folds an eval-mode batch norm into the affine layer before it: `weight` (out x ...) and
/// `bias` (out) become W * s and (b - mean) * s + beta with s = gamma / sqrt(var + eps), and the
/// batch norm is reset to (almost exactly) the identity so the state dict stays consistent.
/// Runs without recording gradients; the tensors keep their requires_grad flags.
void foldBatchNorm(torch::Tensor& weight, torch::Tensor& bias, torch::Tensor& gamma, torch::Tensor& beta,
                   torch::Tensor& runningMean, torch::Tensor& runningVar, double eps);

/// Upstream Conv_2d: 3x3 convolution (padding 1), BatchNorm2d, ReLU, MaxPool2d(pooling).
/// Parameter names: conv.weight, conv.bias, bn.{weight,bias,running_mean,running_var}.
class Conv2dBlock : public torch::nn::Module {
public:
    Conv2dBlock(int64_t inChannels, int64_t outChannels, std::vector<int64_t> pooling);

    /// B x inChannels x H x W -> B x outChannels x H/ph x W/pw (floor).
    torch::Tensor forward(const torch::Tensor& x);
    /// Folds `bn` into `conv` (call in eval mode); forward then skips the batch norm.
    void foldBatchNorm();
    /// When `frames` > 0 (a multiple of the time pooling), forward computes convolution, pooling
    /// and ReLU in time tiles of that many frames, so the unpooled output stays in cache. Same
    /// values as untiled; worth it for a single input channel, where the layer is memory bound.
    void setTimeTile(int64_t frames);
    /// The convolution, for analyses and operation counting.
    const torch::nn::Conv2d& conv() const { return m_conv; }

private:
    torch::Tensor forwardTiled(const torch::Tensor& x);

    torch::nn::Conv2d m_conv{nullptr};
    torch::nn::BatchNorm2d m_bn{nullptr};
    std::vector<int64_t> m_pooling;
    int64_t m_timeTile = 0;
    bool m_folded = false;
};

/// Upstream Conv_1d: Conv1d(kernel, stride, padding kernel/2), BatchNorm1d, ReLU,
/// MaxPool1d(pooling) (skipped when pooling is 1, where it is the identity).
class Conv1dBlock : public torch::nn::Module {
public:
    Conv1dBlock(int64_t inChannels, int64_t outChannels, int64_t kernel, int64_t stride, int64_t pooling);

    /// B x inChannels x T -> B x outChannels x T' .
    torch::Tensor forward(const torch::Tensor& x);
    /// Folds `bn` into `conv` (call in eval mode); forward then skips the batch norm.
    void foldBatchNorm();
    /// The convolution, for analyses and operation counting.
    const torch::nn::Conv1d& conv() const { return m_conv; }

private:
    torch::nn::Conv1d m_conv{nullptr};
    torch::nn::BatchNorm1d m_bn{nullptr};
    int64_t m_pooling = 1;
    bool m_folded = false;
};

/// Checks that `dbMel` is B x nMels x T float (throws c10::Error naming `architecture` if not)
/// and returns it as B x 1 x nMels x T.
torch::Tensor melAsImage(const torch::Tensor& dbMel, int64_t nMels, const char* architecture);

} // namespace tagscope::model::sota
