// SPDX-License-Identifier: GPL-3.0-or-later
// The explanation methods behind Analyzer's explain functions. Torch-facing; include only from
// core/model and model-layer tests.
#pragma once

#include <string>
#include <vector>

#include "core/analysis/explanations.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/model/analyzer.h"
#include "core/model/explain/chunked_track.h"

namespace tagscope::model {

/// Fraction callback of one explanation step (0..1).
using StepProgress = std::function<void(double)>;

/// Tag-wise contribution curve (Won et al. 2019) of `tag`: for every chunk, the token sequence is
/// encoded once, repeated in a batch, and in batch row i the attention of `layer` (-1 = last) is
/// forced onto token i; the tag's probability in row i is the contribution of token i's time
/// span. Tokens in the zero padding are left out; with overlapping chunks both chunks' tokens are
/// kept. Errors: a model without attention, or a layer out of range.
Result<analysis::TimeSeries> contributionCurve(Tagger::Impl& impl, const ChunkedTrack& track, size_t tag, int layer,
                                               const StepProgress& progress, const CancelToken* cancel);

/// Gradient x input relevance of `tag` on each chunk's dB mel, stitched into `totalFrames`
/// whole-track frames (overlapping chunks averaged; padding frames dropped).
/// NOTE: the "input" is measured from the chunk's lowest dB value (relevance = dP/dx * (x - min x)),
/// i.e. relative to the silence occlusion masks with; otherwise every silent bin at -100 dB would
/// look highly relevant just because its dB value is large in magnitude.
/// `smooth` averages the gradient over 8 noisy copies of the input (SmoothGrad, Smilkov et al.
/// 2017; Gaussian noise of 10% of the chunk's dB range, drawn from `seed`, so runs repeat).
Result<analysis::GradientRelevance> gradientRelevance(Tagger::Impl& impl, const ChunkedTrack& track, size_t tag,
                                                      int totalFrames, bool smooth, unsigned seed,
                                                      const StepProgress& progress, const CancelToken* cancel);

/// Gradient-weighted attention rollout of one sequence (Chefer, Gur & Wolf, ICCV 2021, "Generic
/// attention-model explainability", rule for self-attention): R = I; for each layer l from the
/// first, Abar_l = mean over heads of max(0, dP/dA_l * A_l) and R <- R + Abar_l R. `attention[l]`
/// and `gradients[l]` are heads x N x N (or N x N). Returns R (N x N, float64, CPU).
torch::Tensor gradientWeightedRollout(const std::vector<torch::Tensor>& attention,
                                      const std::vector<torch::Tensor>& gradients);

/// The [CLS] row of gradientWeightedRollout() for `tag`, chunk by chunk, laid out over token time
/// spans like the contribution curve. Errors: a model without attention.
Result<analysis::TimeSeries> transformerAttribution(Tagger::Impl& impl, const ChunkedTrack& track, size_t tag,
                                                    const StepProgress& progress, const CancelToken* cancel);

/// Occlusion relevance of every tag (see analysis::OcclusionRelevance): each segment of the
/// track's grid masked alone, on every chunk that holds a frame of it, batched.
Result<analysis::OcclusionRelevance> occlusionRelevance(Tagger::Impl& impl, const ChunkedTrack& track,
                                                        const StepProgress& progress, const CancelToken* cancel);

/// Time x frequency occlusion of `tag` over [start, end): the region's segments of the track's
/// grid x `bandGroups` groups of equally many mel bins; each cell masked alone (the mel bins of
/// the group set to the chunk's floor for the frames of the segment).
Result<analysis::TimeFrequencyOcclusion> timeFrequencyOcclusion(Tagger::Impl& impl, const ChunkedTrack& track,
                                                                size_t tag, double start, double end,
                                                                int bandGroups, const StepProgress& progress,
                                                                const CancelToken* cancel);

/// Score of each segment [j*segmentSeconds, (j+1)*segmentSeconds) of a track of
/// `durationSeconds`: the overlap-weighted mean of `series` over the segment (0 where nothing
/// overlaps).
std::vector<double> segmentScores(const analysis::TimeSeries& series, double durationSeconds, double segmentSeconds);

/// Segment indices by descending score (ties: earlier first).
std::vector<size_t> rankSegments(const std::vector<double>& scores);

/// The time span of segment `j`, clipped to the track.
Interval segmentInterval(size_t j, double durationSeconds, double segmentSeconds);

/// The top-`k` segments by `scores`, adjacent ones merged, ordered by their best segment's score.
std::vector<Interval> evidenceSegments(const std::vector<double>& scores, double durationSeconds,
                                       double segmentSeconds, int k);

/// How many of `segments` segments a fraction removes or restores: round(fraction * segments),
/// at least 1 for a fraction > 0, at most `segments`.
size_t segmentsOfFraction(double fraction, size_t segments);

/// Deletion and insertion curves of random orderings of the track's segments, for every tag at
/// once (see RandomCurveSet). Orderings are drawn with a Fisher-Yates shuffle driven by
/// std::mt19937(seed) (the same on every platform).
Result<RandomCurveSet> randomCurves(Tagger::Impl& impl, ChunkedTrack& track, const std::vector<double>& fractions,
                                    int orderings, unsigned seed, const StepProgress& progress,
                                    const CancelToken* cancel);

/// Faithfulness curves of one method's segment `scores` for `tag`, scored against `random`.
Result<analysis::FaithfulnessCurve> faithfulnessCurve(Tagger::Impl& impl, ChunkedTrack& track, size_t tag,
                                                      const std::string& method, const std::vector<double>& scores,
                                                      const RandomCurveSet& random, const CancelToken* cancel);

} // namespace tagscope::model
