// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/common/error.h"

namespace tagscope::dsp {

/// torchaudio.functional.resample(x, from, to) with its defaults (sinc_interp_hann,
/// lowpass_filter_width 6, rolloff 0.99): a polyphase windowed-sinc filter over the rates
/// reduced by their gcd. The kernel is torchaudio's (float64 maths rounded to float32), but
/// only its non-zero taps are stored and applied (~17 per output sample instead of the
/// 2 * width + from/gcd torchaudio convolves with), which makes it much faster. Whole
/// signals only; immutable after construction, so `process` may run on several threads.
class SincResampler {
public:
    /// A converter between two positive integer rates; errors for non-positive rates or a
    /// filter too large to build (rates whose gcd leaves more than 100000 phases).
    static Result<SincResampler> create(int fromRate, int toRate);

    /// Resamples a whole mono signal: ceil(n * to / from) samples, as torchaudio. Any thread.
    std::vector<float> process(std::span<const float> input) const;

    /// ceil(inputFrames * to / from) in exact integer arithmetic.
    static int64_t outputLength(int64_t inputFrames, int fromRate, int toRate);

    /// Output sample `o` from input samples [base, known) held at `x` (x[0] is sample `base`);
    /// samples before 0 or from `known` on count as zero (torchaudio's padding). Used by
    /// `process` and by SincStream, so both give bit-identical results. Needs fromRate != toRate.
    float outputAt(int64_t o, const float* x, int64_t base, int64_t known) const;
    /// One past the last input sample that output `o` reads (needs fromRate != toRate).
    int64_t inputEndOf(int64_t o) const;
    /// The first input sample that output `o` may read (needs fromRate != toRate).
    int64_t inputStartOf(int64_t o) const;

    int fromRate() const { return m_fromRate; }
    int toRate() const { return m_toRate; }

private:
    /// Non-zero taps of one output phase: weights for padded input [offset, offset + count).
    struct Phase {
        int offset = 0;
        int count = 0;
        size_t weightIndex = 0;
    };

    SincResampler() = default;

    int m_fromRate = 0;
    int m_toRate = 0;
    int m_orig = 0;  ///< fromRate / gcd
    int m_new = 0;   ///< toRate / gcd
    int m_width = 0; ///< torchaudio's zero padding on the left, in input samples
    std::vector<Phase> m_phases;
    std::vector<float> m_weights;
};

} // namespace tagscope::dsp
