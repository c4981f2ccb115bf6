// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/fcn.h"

#include <string>
#include <vector>

namespace tagscope::model {
namespace {

constexpr int64_t kChannels[6] = {1, 64, 128, 128, 128, 64};
const std::vector<int64_t> kPooling[5] = {{2, 4}, {2, 4}, {2, 4}, {3, 5}, {4, 4}};
constexpr int64_t kTimePooling = 4 * 4 * 4 * 5 * 4;

constexpr int64_t kFirstLayerTimeTile = 64;

} // namespace

Fcn::Fcn(int nTags) {
    m_specBn = register_module("spec_bn", torch::nn::BatchNorm2d(1));
    for (int i = 0; i < 5; ++i) {
        m_layers[i] = register_module("layer" + std::to_string(i + 1),
                                      std::make_shared<sota::Conv2dBlock>(kChannels[i], kChannels[i + 1], kPooling[i]));
    }
    m_dense = register_module("dense", torch::nn::Linear(kChannels[5], nTags));
}

torch::Tensor Fcn::forward(const torch::Tensor& dbMel, AttentionControl*) {
    auto x = m_specBn->forward(sota::melAsImage(dbMel, kMels, "FCN"));
    // NOTE: the time pooling (4*4*4*5*4 = 1280) must leave exactly one frame for the dense layer.
    TORCH_CHECK(dbMel.size(2) >= kTimePooling && dbMel.size(2) < 2 * kTimePooling,
                "FCN expects chunks of about 29.1 s (1813 mel frames at 16 kHz, at least ", kTimePooling,
                " and at most ", 2 * kTimePooling - 1, "), got ", dbMel.size(2), " frames");
    for (auto& layer : m_layers) x = layer->forward(x);
    // NOTE: dropout is the identity in eval mode; training is not supported for this net.
    return torch::sigmoid(m_dense->forward(x.flatten(1)));
}

void Fcn::optimizeForInference() {
    for (auto& layer : m_layers) layer->foldBatchNorm();
    // NOTE: the single-channel first layer is memory bound; 64-frame tiles (64 x 96 x 64
    // floats, 1.5 MB) halved its time single-threaded in bench/bench_models.
    m_layers[0]->setTimeTile(kFirstLayerTimeTile);
}

} // namespace tagscope::model
