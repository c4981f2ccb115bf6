// SPDX-License-Identifier: GPL-3.0-or-later
// Computes every signal feature of the catalog for a whole mono signal, per track and per
// segment. Pure function of the samples; the analyzer (feature_analyzer.h) feeds it.
#pragma once

#include <span>

#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/features/feature_set.h"

namespace tagscope::features {

/// The rate features are computed at.
/// NOTE: 22.05 kHz keeps everything up to 11 kHz (all four energy bands, brightness), halves the
/// work of 44.1 kHz, is an exact 2:1 step from CD audio, and is the rate of the shared clips.
inline constexpr int kFeatureSampleRate = 22050;

/// Options of extractFeatures().
struct FeatureOptions {
    double segmentSeconds = 5.0;   ///< segment length (the last one may be shorter)
    /// Count the mono mixdown as dual mono for loudness (true when the file has >= 2 channels).
    bool dualMonoLoudness = true;
};

/// Every feature of `mono` at `sampleRate` (any rate >= 8 kHz; kFeatureSampleRate is what the
/// analyzer uses). Silence and very short signals give NaN values, not errors. vocal_presence is
/// left NaN (the tagger fills it). Fails on a bad rate, a library failure, or cancellation.
Result<TrackFeatures> extractFeatures(std::span<const float> mono, int sampleRate, const FeatureOptions& options = {},
                                      const CancelToken* cancel = nullptr);

} // namespace tagscope::features
