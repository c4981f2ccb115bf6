// SPDX-License-Identifier: GPL-3.0-or-later
// Gradient-weighted attention rollout (Chefer, Gur & Wolf, ICCV 2021).
#include "core/model/engine/attention_maps.h"
#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

constexpr size_t kBatch = 8; ///< chunks per backward pass

} // namespace

torch::Tensor gradientWeightedRollout(const std::vector<torch::Tensor>& attention,
                                      const std::vector<torch::Tensor>& gradients) {
    TORCH_CHECK(!attention.empty() && attention.size() == gradients.size(),
                "gradient-weighted rollout needs one gradient per attention layer");
    torch::Tensor r;
    for (size_t l = 0; l < attention.size(); ++l) {
        auto a = attention[l].detach().to(torch::kCPU, torch::kFloat64);
        auto g = gradients[l].detach().to(torch::kCPU, torch::kFloat64);
        TORCH_CHECK(a.sizes() == g.sizes(), "attention and gradient shapes differ");
        auto weighted = (a * g).clamp_min(0.0);
        if (weighted.dim() == 3) weighted = weighted.mean(0);
        TORCH_CHECK(weighted.dim() == 2 && weighted.size(0) == weighted.size(1), "attention weights must be square");
        if (!r.defined()) r = torch::eye(weighted.size(0), weighted.options());
        r = r + torch::matmul(weighted, r);
    }
    return r;
}

Result<analysis::TimeSeries> transformerAttribution(Tagger::Impl& impl, const ChunkedTrack& track, size_t tag,
                                                    const StepProgress& progress, const CancelToken* cancel) {
    auto& net = *impl.net;
    if (!net.hasAttention())
        return fail(Error::Kind::InvalidInput, {}, "attention attribution needs an attention model ('" +
                    impl.card.architecture + "' has no attention layers)");
    analysis::TimeSeries curve;
    const double frameSeconds = impl.card.mel.frameSeconds();
    torch::AutoGradMode gradMode(true);
    const size_t chunks = track.chunks().size();
    for (size_t first = 0; first < chunks; first += kBatch) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const size_t last = std::min(chunks, first + kBatch);
        const std::vector<dsp::Spectrogram> mels(track.mels().begin() + long(first), track.mels().begin() + long(last));
        AttentionControl control;
        control.capture = true;
        // NOTE: rows of a batch are independent (eval mode), so the gradient of the summed
        // outputs w.r.t. each row's attention is that row's own gradient.
        const auto out = net.forward(impl.melBatch(mels), &control).select(1, int64_t(tag)).sum();
        const auto grads = torch::autograd::grad({out}, control.captured);
        for (size_t c = first; c < last; ++c) {
            const auto b = int64_t(c - first);
            std::vector<torch::Tensor> a, g;
            for (size_t l = 0; l < grads.size(); ++l) {
                a.push_back(control.captured[l][b]);
                g.push_back(grads[l][b]);
            }
            const auto cls = gradientWeightedRollout(a, g)[0].to(torch::kFloat32).contiguous();
            const auto* v = cls.data_ptr<float>();
            const int nFrames = mels[size_t(b)].nFrames;
            const double start = track.startSeconds(c), validEnd = track.validEndSeconds(c);
            for (int64_t i = 1; i < cls.size(0); ++i) {
                auto [s, e] = tokenSeconds(net, i, nFrames, start, frameSeconds);
                if (s >= validEnd) break;
                curve.startSeconds.push_back(s);
                curve.endSeconds.push_back(std::min(e, validEnd));
                curve.values.push_back(v[i]);
            }
        }
        if (progress) progress(double(last) / double(chunks));
    }
    return curve;
}

} // namespace tagscope::model
