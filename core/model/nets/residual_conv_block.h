// SPDX-License-Identifier: GPL-3.0-or-later
// The residual 2-D convolution block shared by the attention taggers' front ends.
#pragma once

#include <array>

#include "core/model/torch_shim.h"

namespace tagscope::model {

/// Two 3x3 conv + batch-norm layers with a residual connection, then ReLU and an optional
/// max pool. Parameter names follow upstream: conv_1, bn_1, conv_2, bn_2 and, when the shortcut
/// needs a projection (stride != 1 or channel count changes), conv_3, bn_3. With stride 1 and a
/// pool this is the MTT's Res2DMaxPoolModule; with a stride and no pool it is sota's Res_2d.
class ResidualConvBlockImpl : public torch::nn::Module {
public:
    /// `stride` and `pool` are (frequency, time); a pool of {1, 1} means no pooling.
    ResidualConvBlockImpl(int64_t inChannels, int64_t outChannels, std::array<int64_t, 2> stride,
                          std::array<int64_t, 2> pool);

    /// B x inChannels x F x T -> B x outChannels x F' x T'.
    torch::Tensor forward(const torch::Tensor& x);
    /// Folds each batch norm into the convolution before it (call once, in eval mode, for
    /// inference only: forward then skips the batch norms, also in training mode).
    void foldBatchNorm();

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_conv3{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr}, m_bn3{nullptr};
    std::array<int64_t, 2> m_pool;
    bool m_folded = false;
};
TORCH_MODULE(ResidualConvBlock);

} // namespace tagscope::model
