// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/engine/attention_maps.h"
#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

constexpr int64_t kForcedRows = 32; ///< forced passes per batch

} // namespace

Result<analysis::TimeSeries> contributionCurve(Tagger::Impl& impl, const ChunkedTrack& track, size_t tagIndex, int layer,
                                               const StepProgress& progress, const CancelToken* cancel) {
    auto& net = *impl.net;
    if (!net.hasAttention())
        return fail(Error::Kind::InvalidInput, {}, "tag-wise contributions need an attention model ('" +
                    impl.card.architecture + "' has no attention layers)");
    const int layers = net.attentionLayers();
    const int forced = layer < 0 ? layers + layer : layer;
    if (forced < 0 || forced >= layers)
        return fail(Error::Kind::InvalidInput, {}, "attention layer " + std::to_string(layer) +
                    " does not exist (the model has " + std::to_string(layers) + ")");
    analysis::TimeSeries curve;
    const double frameSeconds = impl.card.mel.frameSeconds();
    const auto tag = int64_t(tagIndex);
    c10::InferenceMode inference;
    for (size_t c = 0; c < track.chunks().size(); ++c) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const auto& mel = track.mels()[c];
        const auto tokens = net.encode(impl.melBatch({mel})); // 1 x N x D
        const int64_t n = tokens.size(1);
        const double start = track.startSeconds(c), validEnd = track.validEndSeconds(c);
        // Token 0 is [CLS]; contributions are over tokens 1..N-1 that hold real audio.
        int64_t last = 1;
        while (last < n && tokenSeconds(net, last, mel.nFrames, start, frameSeconds).first < validEnd) ++last;
        for (int64_t first = 1; first < last; first += kForcedRows) {
            if (isCancelled(cancel)) return fail(Error::cancelled());
            const int64_t rows = std::min(kForcedRows, last - first);
            AttentionControl control;
            control.forceLayer = forced;
            control.forceTokens = torch::arange(first, first + rows, torch::kLong);
            const auto probs = net.decode(tokens.expand({rows, n, tokens.size(2)}).contiguous(), &control)
                                   .select(1, tag).to(torch::kCPU).contiguous();
            for (int64_t r = 0; r < rows; ++r) {
                auto [s, e] = tokenSeconds(net, first + r, mel.nFrames, start, frameSeconds);
                curve.startSeconds.push_back(s);
                curve.endSeconds.push_back(std::min(e, validEnd));
                curve.values.push_back(probs[r].item<float>());
            }
        }
        if (progress) progress(double(c + 1) / double(track.chunks().size()));
    }
    return curve;
}

} // namespace tagscope::model
