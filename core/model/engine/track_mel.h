// SPDX-License-Identifier: GPL-3.0-or-later
// The dB mel spectrogram of a whole track, computed block by block. Torch-free.
#pragma once

#include <functional>
#include <span>

#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/dsp/mel_spectrogram.h"

namespace tagscope::model {

/// dB mel of all of `samples`, frame for frame equal to `mel.decibels(samples)` (centred frames,
/// reflect padding at the track's ends), but computed in blocks of `blockFrames` frames so the
/// intermediate STFT of a long track never has to fit in memory at once: only the result
/// (nMels x frames floats, ~1.4 MB per minute at 16 kHz / hop 256 / 96 mels) is kept.
/// `onBlock(fraction)` is called after each block; returns Cancelled when `cancel` is set.
Result<dsp::Spectrogram> trackMel(const dsp::MelSpectrogram& mel, std::span<const float> samples,
                                  const std::function<void(double)>& onBlock = {},
                                  const CancelToken* cancel = nullptr, int blockFrames = 4096);

} // namespace tagscope::model
