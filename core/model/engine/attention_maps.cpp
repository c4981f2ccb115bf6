// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/engine/attention_maps.h"

#include <algorithm>

namespace tagscope::model {
namespace {

torch::Tensor headMean(const torch::Tensor& layer) {
    auto a = layer.detach().to(torch::kCPU, torch::kFloat64);
    return a.dim() == 3 ? a.mean(0) : a;
}

} // namespace

torch::Tensor attentionRollout(const std::vector<torch::Tensor>& layers) {
    TORCH_CHECK(!layers.empty(), "attention rollout needs at least one layer");
    torch::Tensor rollout;
    for (const auto& layer : layers) {
        auto a = headMean(layer);
        TORCH_CHECK(a.dim() == 2 && a.size(0) == a.size(1), "attention weights must be square");
        auto mixed = 0.5 * a + 0.5 * torch::eye(a.size(0), a.options());
        mixed = mixed / mixed.sum(-1, true);
        rollout = rollout.defined() ? torch::matmul(mixed, rollout) : mixed;
    }
    return rollout.to(torch::kFloat32);
}

std::pair<double, double> tokenSeconds(const TaggerNet& net, int64_t token, int64_t nFrames, double chunkStartSeconds,
                                       double frameSeconds) {
    const auto [first, last] = net.tokenFrameSpan(token, nFrames);
    return {chunkStartSeconds + double(first) * frameSeconds, chunkStartSeconds + double(last) * frameSeconds};
}

AttentionAccumulator::AttentionAccumulator(const TaggerNet& net, int layers, int heads, int64_t nFrames,
                                           double frameSeconds)
    : m_net(net), m_nFrames(nFrames), m_frameSeconds(frameSeconds) {
    m_result.layers = layers;
    m_result.heads = heads;
    m_result.clsRow.assign(size_t(layers), std::vector<analysis::TimeSeries>(size_t(heads)));
    m_result.clsRowMean.assign(size_t(layers), {});
    m_result.receivedMean.assign(size_t(layers), {});
}

void AttentionAccumulator::append(analysis::TimeSeries& series, double start, double end, float value) {
    series.startSeconds.push_back(start);
    series.endSeconds.push_back(end);
    series.values.push_back(value);
}

void AttentionAccumulator::addChunk(const std::vector<torch::Tensor>& captured, double startSeconds,
                                    double validEndSeconds) {
    const int layers = std::min<int>(m_result.layers, int(captured.size()));
    if (layers == 0) return;
    const int64_t n = captured.front().size(-1);
    // Token spans, clipped to the real audio; tokens wholly in the padding are skipped.
    std::vector<std::pair<double, double>> spans(static_cast<size_t>(n));
    std::vector<bool> keep(static_cast<size_t>(n), false);
    for (int64_t t = 1; t < n; ++t) {
        auto [s, e] = tokenSeconds(m_net, t, m_nFrames, startSeconds, m_frameSeconds);
        if (s >= validEndSeconds) continue;
        spans[size_t(t)] = {s, std::min(e, validEndSeconds)};
        keep[size_t(t)] = true;
    }
    std::vector<torch::Tensor> means;
    for (int l = 0; l < layers; ++l) {
        const auto a = captured[size_t(l)].detach().to(torch::kCPU, torch::kFloat32).contiguous();
        const auto mean = a.mean(0);
        means.push_back(mean);
        const auto received = mean.sum(0).contiguous();
        const auto w = a.accessor<float, 3>();
        const auto m = mean.accessor<float, 2>();
        const auto r = received.accessor<float, 1>();
        const int heads = std::min<int>(m_result.heads, int(a.size(0)));
        for (int64_t t = 1; t < n; ++t) {
            if (!keep[size_t(t)]) continue;
            const auto [s, e] = spans[size_t(t)];
            for (int h = 0; h < heads; ++h) append(m_result.clsRow[size_t(l)][size_t(h)], s, e, w[h][0][t]);
            append(m_result.clsRowMean[size_t(l)], s, e, m[0][t]);
            append(m_result.receivedMean[size_t(l)], s, e, r[t]);
        }
    }
    const auto rollout = attentionRollout(means).contiguous();
    const auto ro = rollout.accessor<float, 2>();
    for (int64_t t = 1; t < n; ++t)
        if (keep[size_t(t)]) append(m_result.rollout, spans[size_t(t)].first, spans[size_t(t)].second, ro[0][t]);
}

} // namespace tagscope::model
