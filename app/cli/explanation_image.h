// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/io/png_writer.h"

namespace tagscope::cli {

/// A picture of a track's explanations, time running left to right over the whole track.
/// Rows from the top:
///  1. the dB mel spectrogram (magma, 80 dB range, low frequencies at the bottom);
///  2. the same with the first explained tag's gradient x input relevance overlaid in cyan;
///  3. the attention rollout strip (attention models only);
///  then for each explained tag: its chunk probabilities (taggram row), its relevance per frame,
///  its contribution curve (attention models), and green marks on its evidence segments.
/// Strips are normalised to their own maximum, except probabilities (absolute 0..1).
io::RgbImage renderExplanationImage(const analysis::TrackAnalysis& analysis,
                                    const std::vector<analysis::TagExplanation>& explanations);

} // namespace tagscope::cli
