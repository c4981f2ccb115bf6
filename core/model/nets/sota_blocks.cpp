// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/sota_blocks.h"

#include <algorithm>
#include <string>
#include <utility>

namespace tagscope::model::sota {

void foldBatchNorm(torch::Tensor& weight, torch::Tensor& bias, torch::Tensor& gamma, torch::Tensor& beta,
                   torch::Tensor& runningMean, torch::Tensor& runningVar, double eps) {
    torch::NoGradGuard noGrad;
    // NOTE: computed in float64 so the folded layer stays within float32 rounding of the
    // unfolded conv -> batch norm pair.
    const auto scale = gamma.to(torch::kFloat64) / (runningVar.to(torch::kFloat64) + eps).sqrt();
    std::vector<int64_t> bshape(size_t(weight.dim()), 1);
    bshape[0] = -1;
    weight.copy_(weight.to(torch::kFloat64) * scale.view(bshape));
    bias.copy_((bias.to(torch::kFloat64) - runningMean.to(torch::kFloat64)) * scale + beta.to(torch::kFloat64));
    gamma.fill_(1.0);
    beta.fill_(0.0);
    runningMean.fill_(0.0);
    runningVar.fill_(1.0 - eps);
}

Conv2dBlock::Conv2dBlock(int64_t inChannels, int64_t outChannels, std::vector<int64_t> pooling)
    : m_pooling(std::move(pooling)) {
    m_conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, outChannels, 3).padding(1)));
    m_bn = register_module("bn", torch::nn::BatchNorm2d(outChannels));
}

torch::Tensor Conv2dBlock::forward(const torch::Tensor& x) {
    if (m_timeTile > 0 && x.size(3) >= 2 * m_timeTile) return forwardTiled(x);
    auto y = m_conv->forward(x);
    if (!m_folded) y = m_bn->forward(y);
    // NOTE: ReLU and max pooling commute; pooling first runs the ReLU on 1/(ph*pw) of the values.
    return torch::relu(torch::max_pool2d(y, m_pooling));
}

torch::Tensor Conv2dBlock::forwardTiled(const torch::Tensor& x) {
    // Zero-pad time once (the convolution's own time padding), then convolve each tile with
    // frequency padding only. Frames past the last whole pooling window are never used.
    const auto padded = torch::constant_pad_nd(x, {1, 1, 0, 0});
    const int64_t usable = x.size(3) / m_pooling[1] * m_pooling[1];
    std::vector<torch::Tensor> tiles;
    for (int64_t t0 = 0; t0 < usable; t0 += m_timeTile) {
        const int64_t n = std::min(m_timeTile, usable - t0);
        auto y = torch::conv2d(padded.narrow(3, t0, n + 2), m_conv->weight, m_conv->bias, 1,
                               torch::IntArrayRef{1, 0});
        if (!m_folded) y = m_bn->forward(y);
        tiles.push_back(torch::relu(torch::max_pool2d(y, m_pooling)));
    }
    return torch::cat(tiles, 3);
}

void Conv2dBlock::setTimeTile(int64_t frames) {
    TORCH_CHECK(frames >= 0 && frames % m_pooling[1] == 0, "time tile must be a multiple of the time pooling");
    m_timeTile = frames;
}

void Conv2dBlock::foldBatchNorm() {
    if (m_folded) return;
    sota::foldBatchNorm(m_conv->weight, m_conv->bias, m_bn->weight, m_bn->bias, m_bn->running_mean,
                        m_bn->running_var, m_bn->options.eps());
    m_folded = true;
}

Conv1dBlock::Conv1dBlock(int64_t inChannels, int64_t outChannels, int64_t kernel, int64_t stride, int64_t pooling)
    : m_pooling(pooling) {
    m_conv = register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(inChannels, outChannels, kernel)
                                                           .stride(stride)
                                                           .padding(kernel / 2)));
    m_bn = register_module("bn", torch::nn::BatchNorm1d(outChannels));
}

torch::Tensor Conv1dBlock::forward(const torch::Tensor& x) {
    auto y = m_conv->forward(x);
    if (!m_folded) y = m_bn->forward(y);
    return torch::relu(m_pooling > 1 ? torch::max_pool1d(y, m_pooling) : y);
}

void Conv1dBlock::foldBatchNorm() {
    if (m_folded) return;
    sota::foldBatchNorm(m_conv->weight, m_conv->bias, m_bn->weight, m_bn->bias, m_bn->running_mean,
                        m_bn->running_var, m_bn->options.eps());
    m_folded = true;
}

torch::Tensor melAsImage(const torch::Tensor& dbMel, int64_t nMels, const char* architecture) {
    TORCH_CHECK(dbMel.dim() == 3 && dbMel.size(1) == nMels, architecture, " expects a dB mel spectrogram of shape batch x ",
                nMels, " mel bands x frames, got ", dbMel.sizes());
    TORCH_CHECK(dbMel.is_floating_point(), architecture, " expects a floating point mel spectrogram");
    return dbMel.unsqueeze(1);
}

} // namespace tagscope::model::sota
