// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/common/error.h"

struct SRC_STATE_tag; // libsamplerate's opaque converter state

namespace tagscope::audio {

/// Resampler choice. Best/Medium/Fastest are libsamplerate's sinc converters: Best is closest
/// to the upstream pipelines' input (measured: max |diff| 4e-3 against the golden 16 kHz clip);
/// Medium and Fastest trade pass-band width (90 % / 80 % of Nyquist) for 4x / 10x the speed.
/// Torchaudio is torchaudio.functional.resample's default windowed sinc (dsp::SincResampler,
/// rolloff 0.99): pass band as wide as Best at ~25x its speed; applied after decoding (whole
/// signal), used by the analysis by default.
enum class ResampleQuality { Best, Medium, Fastest, Torchaudio };

/// Streaming mono sample-rate converter (libsamplerate, SRC_SINC_BEST_QUALITY). Feed blocks
/// with `process`, then call `finish` once to drain the filter's tail. The output is
/// time-aligned with the input (no added delay). One thread at a time.
class Resampler {
public:
    /// A converter from `fromRate` to `toRate` Hz; an error when the ratio is out of
    /// libsamplerate's range (1/256 .. 256) or the rates are not positive.
    static Result<Resampler> create(int fromRate, int toRate, ResampleQuality quality = ResampleQuality::Best);

    Resampler(Resampler&&) noexcept;
    Resampler& operator=(Resampler&&) noexcept;
    ~Resampler();

    /// Converts `input` and appends whatever output is ready to `out`.
    Result<void> process(std::span<const float> input, std::vector<float>& out);

    /// Signals the end of the input and appends the remaining output to `out`.
    Result<void> finish(std::vector<float>& out);

    /// toRate / fromRate.
    double ratio() const { return m_ratio; }

    /// Output length for `inputFrames` input frames: ceil(inputFrames * ratio), as librosa.
    static int64_t outputLength(int64_t inputFrames, int fromRate, int toRate);

private:
    struct StateDeleter {
        void operator()(SRC_STATE_tag* state) const;
    };
    Resampler(SRC_STATE_tag* state, double ratio);
    Result<void> run(std::span<const float> input, bool endOfInput, std::vector<float>& out);

    std::unique_ptr<SRC_STATE_tag, StateDeleter> m_state;
    double m_ratio = 1.0;
    std::vector<float> m_scratch;
};

} // namespace tagscope::audio
