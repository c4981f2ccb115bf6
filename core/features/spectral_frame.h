// SPDX-License-Identifier: GPL-3.0-or-later
// The descriptors of one magnitude spectrum (pure functions, tested on synthetic spectra).
#pragma once

#include <span>
#include <vector>

#include "core/features/spectral_features.h"

namespace tagscope::features::detail {

/// A spectral peak: frequency (Hz, parabolically interpolated) and magnitude.
struct SpectralPeak {
    double hz = 0;
    double magnitude = 0;
};

/// Local maxima of `mag` (bin k at k * binHz) above `threshold`, strongest first.
std::vector<SpectralPeak> findPeaks(std::span<const double> mag, double binHz, double threshold);

/// Plomp-Levelt roughness of two partials (Sethares' parameters), 0..~0.18.
double plompLevelt(double f1, double f2);

/// Sensory dissonance of a set of peaks, 0..1 (see the catalog's method text).
double sensoryDissonance(std::span<const SpectralPeak> peaks, size_t maxPeaks = 30);

/// Chroma of a set of peaks between 65 and 2100 Hz (each peak adds its magnitude to the
/// nearest pitch class, A4 = 440 Hz).
Chroma peakChroma(std::span<const SpectralPeak> peaks);

} // namespace tagscope::features::detail
