// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <random>

#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

constexpr int kSmoothCopies = 8;      ///< noisy copies averaged by SmoothGrad
constexpr int kSmoothBatch = 2;       ///< copies per backward pass (bounds activation memory)
constexpr size_t kGradientBatch = 8;  ///< chunks per backward pass without smoothing
constexpr double kSmoothNoise = 0.1;  ///< noise std as a fraction of the chunk's dB range

/// d P(tag) / d x for each row of `x` (B x M x T), summed over rows.
torch::Tensor inputGradient(TaggerNet& net, const torch::Tensor& x, int64_t tag) {
    auto input = x.detach().clone().requires_grad_(true);
    const auto out = net.forward(input).select(1, tag).sum();
    return torch::autograd::grad({out}, {input})[0].sum(0);
}

/// B copies of `x` (1 x M x T) with seeded Gaussian noise of std `sigma`.
torch::Tensor noisyCopies(const torch::Tensor& x, int copies, double sigma, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, float(sigma));
    auto noise = torch::empty({copies, x.size(1), x.size(2)}, torch::kFloat32);
    float* p = noise.data_ptr<float>();
    for (int64_t i = 0; i < noise.numel(); ++i) p[i] = normal(rng);
    return x.expand({copies, x.size(1), x.size(2)}) + noise.to(x.device());
}

} // namespace

Result<analysis::GradientRelevance> gradientRelevance(Tagger::Impl& impl, const ChunkedTrack& track, size_t tag,
                                                      int totalFrames, bool smooth, unsigned seed, const StepProgress& progress,
                                                      const CancelToken* cancel) {
    const auto& cfg = impl.card.mel;
    const int nMels = cfg.nMels;
    analysis::GradientRelevance rel;
    rel.tag = tag;
    rel.smoothed = smooth;
    rel.frameSeconds = cfg.frameSeconds();
    rel.map.nMels = nMels;
    rel.map.nFrames = totalFrames;
    rel.map.values.assign(size_t(nMels) * size_t(totalFrames), 0.0f);
    std::vector<int> counts(size_t(totalFrames), 0);
    std::mt19937 rng(seed);
    // NOTE: gradients need autograd, so this runs outside InferenceMode with grad mode on.
    torch::AutoGradMode gradMode(true);
    const size_t chunks = track.chunks().size();
    // Adds chunk c's relevance (M x T) into the whole-track map.
    auto accumulate = [&](size_t c, const torch::Tensor& relevance) {
        const auto r = relevance.detach().to(torch::kCPU).contiguous();
        const auto a = r.accessor<float, 2>();
        const int64_t offset = std::llround(double(track.chunks()[c].start) / cfg.hopLength);
        const int64_t valid = track.chunks()[c].valid;
        for (int64_t f = 0; f < r.size(1); ++f) {
            const int64_t tf = offset + f;
            if (tf >= totalFrames || f * cfg.hopLength > valid) break;
            for (int m = 0; m < nMels; ++m) rel.map.at(m, int(tf)) += a[m][f];
            ++counts[size_t(tf)];
        }
    };
    // NOTE: without smoothing, chunks go through in batches: rows are independent in eval mode,
    // so the gradient of the summed outputs w.r.t. each row is that row's own gradient.
    const size_t step = smooth ? 1 : kGradientBatch;
    for (size_t first = 0; first < chunks; first += step) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const size_t last = std::min(chunks, first + step);
        const std::vector<dsp::Spectrogram> mels(track.mels().begin() + long(first), track.mels().begin() + long(last));
        const auto x = impl.melBatch(mels);
        if (!smooth) {
            auto input = x.detach().clone().requires_grad_(true);
            const auto out = impl.net->forward(input).select(1, int64_t(tag)).sum();
            const auto grad = torch::autograd::grad({out}, {input})[0];
            for (size_t c = first; c < last; ++c) {
                const auto b = int64_t(c - first);
                accumulate(c, grad[b] * (x[b] - track.floorDb(c)));
            }
        } else {
            const double sigma = kSmoothNoise * double((x.max() - x.min()).item<float>());
            auto grad = torch::zeros({x.size(1), x.size(2)}, x.options());
            for (int done = 0; done < kSmoothCopies; done += kSmoothBatch) {
                if (isCancelled(cancel)) return fail(Error::cancelled());
                grad += inputGradient(*impl.net, noisyCopies(x, kSmoothBatch, sigma, rng), int64_t(tag));
            }
            grad /= double(kSmoothCopies);
            accumulate(first, grad * (x[0] - track.floorDb(first)));
        }
        if (progress) progress(double(last) / double(chunks));
    }
    rel.perFrame.startSeconds.reserve(size_t(totalFrames));
    for (int f = 0; f < totalFrames; ++f) {
        float sum = 0.0f;
        if (counts[size_t(f)] > 1)
            for (int m = 0; m < nMels; ++m) rel.map.at(m, f) /= float(counts[size_t(f)]);
        for (int m = 0; m < nMels; ++m) sum += rel.map.at(m, f);
        // Frame f is centred at f * hop; its entry spans half a hop either side.
        rel.perFrame.startSeconds.push_back(std::max(0.0, (f - 0.5) * rel.frameSeconds));
        rel.perFrame.endSeconds.push_back((f + 0.5) * rel.frameSeconds);
        rel.perFrame.values.push_back(sum);
    }
    return rel;
}

} // namespace tagscope::model
