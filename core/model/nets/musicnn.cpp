// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/musicnn.h"

#include <string>
#include <tuple>

namespace tagscope::model {

std::optional<MusicnnOptions> MusicnnOptions::forDataset(const std::string& dataset) {
    if (dataset == "msd") return MusicnnOptions{512, 500};
    if (dataset == "mtat" || dataset == "jamendo") return MusicnnOptions{64, 200};
    return std::nullopt;
}

namespace sota {

VerticalConv::VerticalConv(int64_t outChannels, int64_t height, int64_t width) {
    m_conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, outChannels, {height, width})
                                                           .padding({0, width / 2})));
    m_bn = register_module("bn", torch::nn::BatchNorm2d(outChannels));
}

torch::Tensor VerticalConv::forward(const torch::Tensor& x) {
    auto y = m_conv->forward(x);
    if (!m_folded) y = m_bn->forward(y);
    // NOTE: ReLU commutes with the maximum over frequency; taking the maximum first is cheaper.
    return torch::relu(std::get<0>(y.max(2)));
}

void VerticalConv::foldBatchNorm() {
    if (m_folded) return;
    sota::foldBatchNorm(m_conv->weight, m_conv->bias, m_bn->weight, m_bn->bias, m_bn->running_mean,
                        m_bn->running_var, m_bn->options.eps());
    m_folded = true;
}

HorizontalConv::HorizontalConv(int64_t outChannels, int64_t length) {
    m_conv = register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(1, outChannels, length)
                                                           .padding(length / 2)));
    m_bn = register_module("bn", torch::nn::BatchNorm1d(outChannels));
}

torch::Tensor HorizontalConv::forward(const torch::Tensor& x) {
    auto y = m_conv->forward(x.mean(2));
    if (!m_folded) y = m_bn->forward(y);
    return torch::relu(y);
}

void HorizontalConv::foldBatchNorm() {
    if (m_folded) return;
    sota::foldBatchNorm(m_conv->weight, m_conv->bias, m_bn->weight, m_bn->bias, m_bn->running_mean,
                        m_bn->running_var, m_bn->options.eps());
    m_folded = true;
}

} // namespace sota

Musicnn::Musicnn(const MusicnnOptions& options, int nTags) : m_options(options) {
    TORCH_CHECK(options.backendChannels > 0 && options.denseChannels > 0, "MusiCNN widths must be positive");
    m_specBn = register_module("spec_bn", torch::nn::BatchNorm2d(1));
    // NOTE: upstream's filter heights are int(0.7 * 96) = 67 and int(0.4 * 96) = 38.
    auto layers = register_module("layers", torch::nn::ModuleList());
    m_vertical[0] = std::make_shared<sota::VerticalConv>(204, 67, 7);
    m_vertical[1] = std::make_shared<sota::VerticalConv>(204, 38, 7);
    m_horizontal[0] = std::make_shared<sota::HorizontalConv>(51, 129);
    m_horizontal[1] = std::make_shared<sota::HorizontalConv>(51, 65);
    m_horizontal[2] = std::make_shared<sota::HorizontalConv>(51, 33);
    for (auto& v : m_vertical) layers->push_back(v);
    for (auto& h : m_horizontal) layers->push_back(h);

    const int64_t c = options.backendChannels;
    m_backEnd[0] = register_module("layer1", std::make_shared<sota::Conv1dBlock>(kFrontEndChannels, c, 7, 1, 1));
    m_backEnd[1] = register_module("layer2", std::make_shared<sota::Conv1dBlock>(c, c, 7, 1, 1));
    m_backEnd[2] = register_module("layer3", std::make_shared<sota::Conv1dBlock>(c, c, 7, 1, 1));

    m_dense1 = register_module("dense1", torch::nn::Linear((kFrontEndChannels + 3 * c) * 2, options.denseChannels));
    m_bn = register_module("bn", torch::nn::BatchNorm1d(options.denseChannels));
    m_dense2 = register_module("dense2", torch::nn::Linear(options.denseChannels, nTags));
}

torch::Tensor Musicnn::forward(const torch::Tensor& dbMel, AttentionControl*) {
    const auto x = m_specBn->forward(sota::melAsImage(dbMel, kMels, "MusiCNN"));
    const auto front = torch::cat({m_vertical[0]->forward(x), m_vertical[1]->forward(x), m_horizontal[0]->forward(x),
                                   m_horizontal[1]->forward(x), m_horizontal[2]->forward(x)},
                                  1);
    const auto res1 = m_backEnd[0]->forward(front);
    const auto res2 = m_backEnd[1]->forward(res1) + res1;
    const auto res3 = m_backEnd[2]->forward(res2) + res2;
    const auto all = torch::cat({front, res1, res2, res3}, 1);
    const auto pooled = torch::cat({std::get<0>(all.max(2)), all.mean(2)}, 1);

    auto h = m_dense1->forward(pooled);
    if (!m_folded) h = m_bn->forward(h);
    // NOTE: dropout is the identity in eval mode; training is not supported for this net.
    return torch::sigmoid(m_dense2->forward(torch::relu(h)));
}

void Musicnn::optimizeForInference() {
    for (auto& v : m_vertical) v->foldBatchNorm();
    for (auto& h : m_horizontal) h->foldBatchNorm();
    for (auto& b : m_backEnd) b->foldBatchNorm();
    if (!m_folded) {
        sota::foldBatchNorm(m_dense1->weight, m_dense1->bias, m_bn->weight, m_bn->bias, m_bn->running_mean,
                            m_bn->running_var, m_bn->options.eps());
        m_folded = true;
    }
}

} // namespace tagscope::model
