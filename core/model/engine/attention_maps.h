// SPDX-License-Identifier: GPL-3.0-or-later
// Attention of an attention model gathered chunk by chunk into whole-track time series.
// Torch-facing; include only from core/model and model-layer tests.
#pragma once

#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// Attention rollout (Abnar & Zuidema 2020) of one sequence: `layers[l]` is layer l's
/// attention, heads x N x N or N x N (query rows, key columns). Each layer is head-averaged,
/// mixed with the residual identity A' = 0.5*A + 0.5*I, rows renormalised to sum to 1, and the
/// layers multiplied from the first to the last: R = A'_L ... A'_1. Returns R (N x N, float,
/// CPU); its rows sum to 1.
torch::Tensor attentionRollout(const std::vector<torch::Tensor>& layers);

/// Time span [start, end) in seconds of token `token` (>= 1) of a chunk starting at
/// `chunkStartSeconds` with `nFrames` mel frames; `frameSeconds` is the mel hop in seconds.
std::pair<double, double> tokenSeconds(const TaggerNet& net, int64_t token, int64_t nFrames, double chunkStartSeconds,
                                       double frameSeconds);

/// Collects attention chunk by chunk (in chunk order) and lays the chunks end to end.
/// NOTE: with overlapping chunks both chunks' tokens are kept, so consecutive entries of a
/// TimeSeries may overlap in time; nothing is averaged away. Tokens that lie entirely in the
/// zero padding of the last chunk are left out, and the last token is clipped to the track end.
class AttentionAccumulator {
public:
    AttentionAccumulator(const TaggerNet& net, int layers, int heads, int64_t nFrames, double frameSeconds);

    /// Adds one chunk: `captured[l]` is layer l's weights for this chunk, heads x N x N.
    void addChunk(const std::vector<torch::Tensor>& captured, double startSeconds, double validEndSeconds);

    /// The whole-track explanation of everything added so far.
    analysis::AttentionExplanation result() const { return m_result; }

private:
    void append(analysis::TimeSeries& series, double start, double end, float value);

    const TaggerNet& m_net;
    int64_t m_nFrames = 0;
    double m_frameSeconds = 0.0;
    analysis::AttentionExplanation m_result;
};

} // namespace tagscope::model
