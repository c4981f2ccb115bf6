// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/dsp/sinc_resampler.h"

namespace tagscope::dsp {

/// SincResampler (torchaudio's windowed sinc) applied to a stream of blocks: the output is
/// bit-identical to `SincResampler::process` on the whole signal, in the same total length
/// (ceil(n * to / from)), but only about one filter length of input is held at a time.
/// `push` emits every output sample whose input window is complete; `finish` emits the rest,
/// with the zero padding after the last sample that torchaudio uses. One thread at a time.
class SincStream {
public:
    /// `resampler` is copied (its tables are small).
    explicit SincStream(SincResampler resampler);

    /// Adds `input` and appends the output samples that are now complete to `out`.
    void push(std::span<const float> input, std::vector<float>& out);
    /// Ends the input and appends the remaining output samples to `out`. Call once; reset()
    /// makes the stream ready for another signal.
    void finish(std::vector<float>& out);
    /// Forgets all input: the next push starts a new signal.
    void reset();

    /// Input samples received so far.
    int64_t inputFrames() const { return m_received; }
    /// Output samples emitted so far.
    int64_t outputFrames() const { return m_nextOut; }

private:
    void emit(int64_t known, int64_t upTo, std::vector<float>& out);

    SincResampler m_resampler;
    bool m_identity = false;
    std::vector<float> m_buffer; ///< input samples [m_base, m_received)
    int64_t m_base = 0;
    int64_t m_received = 0;
    int64_t m_nextOut = 0;
};

} // namespace tagscope::dsp
