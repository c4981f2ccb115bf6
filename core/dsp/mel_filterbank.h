// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <vector>

#include "core/dsp/mel_spectrogram.h"

namespace tagscope::dsp {

/// torchaudio.functional.melscale_fbanks(nFreqs, fMin, fMax, nMels, sampleRate, norm=None,
/// mel_scale="htk") computed with the same float32 operations in the same order; row-major
/// nFreqs x nMels. `config` must be valid (MelSpectrogram::validate).
std::vector<float> melFilterbank(const MelConfig& config);

/// torch.hann_window(n) (periodic): 0.5 - 0.5 cos(2 pi i / n), in float32.
std::vector<float> periodicHannWindow(int n);

namespace detail {

/// torch.linspace(start, end, steps) for float32 on CPU, including the order of operations of
/// its 8-wide vectorised kernel, so results match torch's bit for bit.
std::vector<float> torchLinspace(float start, float end, int steps);

} // namespace detail

} // namespace tagscope::dsp
