// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/residual_conv_block.h"

#include "core/model/nets/sota_blocks.h"

namespace tagscope::model {
namespace {

void fold(torch::nn::Conv2d& conv, torch::nn::BatchNorm2d& bn) {
    sota::foldBatchNorm(conv->weight, conv->bias, bn->weight, bn->bias, bn->running_mean, bn->running_var,
                        bn->options.eps());
}

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, std::array<int64_t, 2> stride) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride({stride[0], stride[1]}).padding(1));
}

} // namespace

ResidualConvBlockImpl::ResidualConvBlockImpl(int64_t inChannels, int64_t outChannels, std::array<int64_t, 2> stride,
                                             std::array<int64_t, 2> pool)
    : m_pool(pool) {
    m_conv1 = register_module("conv_1", conv3x3(inChannels, outChannels, stride));
    m_bn1 = register_module("bn_1", torch::nn::BatchNorm2d(outChannels));
    m_conv2 = register_module("conv_2", conv3x3(outChannels, outChannels, {1, 1}));
    m_bn2 = register_module("bn_2", torch::nn::BatchNorm2d(outChannels));
    if (stride != std::array<int64_t, 2>{1, 1} || inChannels != outChannels) {
        m_conv3 = register_module("conv_3", conv3x3(inChannels, outChannels, stride));
        m_bn3 = register_module("bn_3", torch::nn::BatchNorm2d(outChannels));
    }
}

torch::Tensor ResidualConvBlockImpl::forward(const torch::Tensor& x) {
    auto bn = [this](torch::nn::BatchNorm2d& norm, const torch::Tensor& y) { return m_folded ? y : norm(y); };
    auto out = bn(m_bn2, m_conv2(torch::relu(bn(m_bn1, m_conv1(x)))));
    const auto shortcut = m_conv3 ? bn(m_bn3, m_conv3(x)) : x;
    out = torch::relu(shortcut + out);
    if (m_pool != std::array<int64_t, 2>{1, 1}) out = torch::max_pool2d(out, {m_pool[0], m_pool[1]});
    return out;
}

void ResidualConvBlockImpl::foldBatchNorm() {
    if (m_folded) return;
    fold(m_conv1, m_bn1);
    fold(m_conv2, m_bn2);
    if (m_conv3) fold(m_conv3, m_bn3);
    m_folded = true;
}

} // namespace tagscope::model
