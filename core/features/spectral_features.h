// SPDX-License-Identifier: GPL-3.0-or-later
// Frame-wise spectral descriptors and chroma of a mono signal (FFTW, Blackman-Harris 92 dB
// window, ~186 ms frames with 50 % overlap: 4096 / 2048 at 22.05 kHz).
#pragma once

#include <array>
#include <span>
#include <vector>

#include "core/common/error.h"
#include "core/common/progress.h"

namespace tagscope::features {

/// Per-frame descriptors, in this order (the catalog keys in spectralDescriptorKeys()).
enum SpectralDescriptor : size_t {
    kCentroid, kSpread, kRolloff, kFlux, kEntropy, kFlatness, kDecrease, kComplexity, kZeroCrossing,
    kEnergyLow, kEnergyMidLow, kEnergyMidHigh, kEnergyHigh, kPitchSalience, kDissonance,
    kSpectralDescriptorCount
};

/// Catalog keys of the SpectralDescriptor entries, same order.
const std::array<const char*, kSpectralDescriptorCount>& spectralDescriptorKeys();

/// Chroma of one frame: energy per pitch class (0 = C), unnormalized.
using Chroma = std::array<double, 12>;

/// What analyzeSpectrum() produces.
struct SpectralFrames {
    int sampleRate = 0;
    int frameSize = 0;
    int hopSize = 0;
    /// Per frame; a silent frame (below -80 dBFS RMS) has NaN descriptors and zero chroma.
    std::vector<std::array<double, kSpectralDescriptorCount>> descriptors;
    std::vector<Chroma> chroma;
    /// Centre time (s) of frame i.
    double frameTime(size_t i) const { return (double(i) * hopSize + frameSize / 2.0) / sampleRate; }
};

/// Frame size for `sampleRate` (power of two near 186 ms).
int spectralFrameSize(int sampleRate);

/// Analyses the whole signal. Fails only on a bad rate or cancellation.
Result<SpectralFrames> analyzeSpectrum(std::span<const float> mono, int sampleRate,
                                       const CancelToken* cancel = nullptr);

/// Mean of each descriptor over the non-silent frames whose centre lies in [t0, t1); NaN where
/// there is none.
std::array<double, kSpectralDescriptorCount> meanDescriptors(const SpectralFrames& f, double t0, double t1);

/// Sum of the chroma of the frames whose centre lies in [t0, t1).
Chroma sumChroma(const SpectralFrames& f, double t0, double t1);

} // namespace tagscope::features
