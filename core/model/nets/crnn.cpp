// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/crnn.h"

#include <string>
#include <tuple>
#include <vector>

namespace tagscope::model {
namespace {

constexpr int64_t kChannels[5] = {1, 64, 128, 128, 128};
constexpr int64_t kPooling[4] = {2, 3, 4, 4};
constexpr int64_t kHidden = 32;
constexpr int64_t kMinFrames = 2 * 3 * 4 * 4;

constexpr int64_t kFirstLayerTimeTile = 64;

} // namespace

Crnn::Crnn(int nTags) {
    m_specBn = register_module("spec_bn", torch::nn::BatchNorm2d(1));
    for (int i = 0; i < 4; ++i) {
        m_layers[i] = register_module("layer" + std::to_string(i + 1),
                                      std::make_shared<sota::Conv2dBlock>(kChannels[i], kChannels[i + 1],
                                                                          std::vector<int64_t>{kPooling[i], kPooling[i]}));
    }
    m_gru = register_module("layer5", torch::nn::GRU(torch::nn::GRUOptions(kChannels[4], kHidden).num_layers(2).batch_first(true)));
    m_dense = register_module("dense", torch::nn::Linear(kHidden, nTags));
}

torch::Tensor Crnn::forward(const torch::Tensor& dbMel, AttentionControl*) {
    auto x = m_specBn->forward(sota::melAsImage(dbMel, kMels, "CRNN"));
    TORCH_CHECK(dbMel.size(2) >= kMinFrames, "CRNN needs at least ", kMinFrames, " mel frames, got ", dbMel.size(2));
    for (auto& layer : m_layers) x = layer->forward(x);
    // B x 128 x 1 x T' -> B x T' x 128
    const auto sequence = x.squeeze(2).permute({0, 2, 1});
    const auto out = std::get<0>(m_gru->forward(sequence));
    // NOTE: dropout is the identity in eval mode; training is not supported for this net.
    return torch::sigmoid(m_dense->forward(out.select(1, out.size(1) - 1)));
}

void Crnn::optimizeForInference() {
    for (auto& layer : m_layers) layer->foldBatchNorm();
    // NOTE: the single-channel first layer is memory bound; 64-frame tiles (64 x 96 x 64
    // floats, 1.5 MB) halved its time single-threaded in bench/bench_models.
    m_layers[0]->setTimeTile(kFirstLayerTimeTile);
}

} // namespace tagscope::model
