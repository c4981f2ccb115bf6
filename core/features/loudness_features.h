// SPDX-License-Identifier: GPL-3.0-or-later
// EBU R128 loudness (libebur128) and dynamic complexity of a mono signal.
#pragma once

#include <span>

#include "core/common/error.h"

namespace tagscope::features {

/// Integrated loudness and loudness range.
struct LoudnessMeasure {
    double integratedLufs = 0;  ///< -inf/-70 for silence is reported as NaN
    double rangeLu = 0;
};

/// Measures `mono` with libebur128. `dualMono`: count the channel twice (BS.1770 for a mixdown of
/// identical stereo channels: a -23 dBFS stereo sine reads -23 LUFS); otherwise as one channel.
Result<LoudnessMeasure> measureLoudness(std::span<const float> mono, int sampleRate, bool dualMono);

/// Mean absolute deviation (dB) of the level of 200 ms frames from their mean, frames below
/// -60 dBFS ignored; NaN when fewer than 2 frames are loud enough.
double dynamicComplexityDb(std::span<const float> mono, int sampleRate);

} // namespace tagscope::features
