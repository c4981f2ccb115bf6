// SPDX-License-Identifier: GPL-3.0-or-later
// Beats, onsets and the onset envelope of a mono signal (aubio), and the rhythm features
// computed from them: tempo, onset rate, beat loudness, danceability (pulse clarity).
#pragma once

#include <span>
#include <vector>

#include "core/common/error.h"
#include "core/common/progress.h"

namespace tagscope::features {

/// What analyzeRhythm() finds.
struct RhythmAnalysis {
    std::vector<double> beatSeconds;
    std::vector<double> onsetSeconds;
    std::vector<float> onsetEnvelope;  ///< aubio's onset detection function, one value per hop
    double envelopeRate = 0;           ///< values per second of onsetEnvelope
};

/// Runs aubio's beat tracker and onset detector (1024-sample window, hop of ~11.6 ms).
Result<RhythmAnalysis> analyzeRhythm(std::span<const float> mono, int sampleRate, const CancelToken* cancel = nullptr);

/// 60 / median inter-beat interval of the beats in [t0, t1); NaN with fewer than 3 beats.
double tempoFromBeats(std::span<const double> beats, double t0, double t1);

/// Onsets per second in [t0, t1).
double onsetRate(std::span<const double> onsets, double t0, double t1);

/// Mean RMS level (dBFS) of the 50 ms after each beat in [t0, t1); NaN without beats.
double beatLoudnessDb(std::span<const float> mono, int sampleRate, std::span<const double> beats, double t0, double t1);

/// Pulse clarity of the envelope values in [t0, t1): the highest normalized autocorrelation
/// (mean removed) at lags of 0.33..1.5 s, clamped to 0..1; NaN when the span is too short.
double pulseClarity(std::span<const float> envelope, double envelopeRate, double t0, double t1);

} // namespace tagscope::features
