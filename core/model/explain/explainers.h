// SPDX-License-Identifier: GPL-3.0-or-later
// The explanation methods behind Analyzer::explain. Torch-facing; include only from core/model
// and model-layer tests.
#pragma once

#include <string>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/model/explain/chunked_track.h"

namespace tagscope::model {

/// Fraction callback of one explanation step (0..1).
using StepProgress = std::function<void(double)>;

/// Tag-wise contribution curve (Won et al. 2019): for every chunk, the token sequence is encoded
/// once, repeated in a batch, and in batch row i the attention of `layer` (-1 = last) is forced
/// onto token i; the tag's probability in row i is the contribution of token i's time span.
/// Tokens in the zero padding are left out; with overlapping chunks both chunks' tokens are kept.
/// Errors: a model without attention, or a layer out of range.
Result<analysis::TimeSeries> contributionCurve(Tagger::Impl& impl, const ChunkedTrack& track, int layer,
                                               const StepProgress& progress, const CancelToken* cancel);

/// Gradient x input relevance of the track's tag on each chunk's dB mel, stitched into
/// `totalFrames` whole-track frames (overlapping chunks averaged; padding frames dropped).
/// NOTE: the "input" is measured from the chunk's lowest dB value (relevance = dP/dx * (x - min x)),
/// i.e. relative to the silence the deletion test masks with; otherwise every silent bin at
/// -100 dB would look highly relevant just because its dB value is large in magnitude.
/// `smooth` averages the gradient over 8 noisy copies of the input (SmoothGrad, Smilkov et al.
/// 2017; Gaussian noise of 10% of the chunk's dB range, drawn from `seed`, so runs repeat).
Result<analysis::GradientRelevance> gradientRelevance(Tagger::Impl& impl, const ChunkedTrack& track, int totalFrames,
                                                      bool smooth, unsigned seed, const StepProgress& progress,
                                                      const CancelToken* cancel);

/// Score of each segment [j*segmentSeconds, (j+1)*segmentSeconds) of a track of
/// `durationSeconds`: the overlap-weighted mean of `series` over the segment (0 where nothing
/// overlaps).
std::vector<double> segmentScores(const analysis::TimeSeries& series, double durationSeconds, double segmentSeconds);

/// Segment indices by descending score (ties: earlier first).
std::vector<size_t> rankSegments(const std::vector<double>& scores);

/// The time span of segment `j`, clipped to the track.
Interval segmentInterval(size_t j, double durationSeconds, double segmentSeconds);

/// Deletion test: the tag's track probability with the top-`k` segments by `scores` masked,
/// and the mean over `randomDraws` draws of k distinct random segments (std::mt19937(seed)).
/// Masking sets the segments' mel frames to the chunk's lowest dB value.
Result<analysis::Faithfulness> deletionTest(Tagger::Impl& impl, const ChunkedTrack& track, const std::string& method,
                                            const std::vector<double>& scores, double durationSeconds,
                                            double segmentSeconds, int k, int randomDraws, unsigned seed,
                                            const CancelToken* cancel);

/// The top-`k` segments by `scores`, adjacent ones merged, ordered by their best segment's score.
std::vector<Interval> evidenceSegments(const std::vector<double>& scores, double durationSeconds,
                                       double segmentSeconds, int k);

} // namespace tagscope::model
