// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/engine/track_mel.h"

#include <algorithm>

namespace tagscope::model {

Result<dsp::Spectrogram> trackMel(const dsp::MelSpectrogram& mel, std::span<const float> samples,
                                  const std::function<void(double)>& onBlock, const CancelToken* cancel,
                                  int blockFrames) {
    const auto& cfg = mel.config();
    const int64_t n = int64_t(samples.size());
    const int64_t hop = cfg.hopLength;
    const int64_t total = cfg.frameCount(samples.size());
    // NOTE: a frame of the whole track reads samples within nFft/2 of its centre; a block that
    // starts `margin` samples (a whole number of hops) before its first frame reproduces it
    // exactly, and a block touching the track's ends reflects exactly as the whole track does.
    const int64_t margin = ((cfg.nFft / 2 + hop - 1) / hop) * hop;
    if (blockFrames <= 0 || total <= blockFrames || n <= 2 * margin + cfg.nFft) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        auto whole = mel.decibels(samples);
        if (onBlock) onBlock(1.0);
        return whole;
    }
    dsp::Spectrogram out;
    out.nMels = cfg.nMels;
    out.nFrames = int(total);
    out.values.assign(size_t(out.nMels) * size_t(total), 0.0f);
    for (int64_t f0 = 0; f0 < total; f0 += blockFrames) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const int64_t f1 = std::min(total, f0 + blockFrames);
        const int64_t a = std::max<int64_t>(0, f0 * hop - margin);
        const int64_t b = std::min(n, (f1 - 1) * hop + margin + 1);
        const auto block = mel.decibels(samples.subspan(size_t(a), size_t(b - a)));
        const int64_t offset = (f0 * hop - a) / hop;
        for (int m = 0; m < out.nMels; ++m)
            for (int64_t f = f0; f < f1; ++f) out.at(m, int(f)) = block.at(m, int(f - f0 + offset));
        if (onBlock) onBlock(double(f1) / double(total));
    }
    return out;
}

} // namespace tagscope::model
