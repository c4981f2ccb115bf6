// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "core/common/error.h"

namespace tagscope::dsp {

/// Mel spectrogram settings, with torchaudio.transforms.MelSpectrogram's meaning.
struct MelConfig {
    int sampleRate = 16000;
    int nFft = 512;
    int hopLength = 256;  ///< torchaudio default: nFft / 2
    double fMin = 0.0;
    double fMax = 8000.0;
    int nMels = 96;

    int nFreqs() const { return nFft / 2 + 1; }
    /// Frames torchaudio produces for `nSamples` (centred frames): 1 + nSamples / hop.
    int frameCount(size_t nSamples) const { return 1 + int(nSamples / size_t(hopLength)); }
    double frameSeconds() const { return double(hopLength) / sampleRate; }
    bool operator==(const MelConfig&) const = default;
};

/// A time-frequency matrix, row-major with `nMels` rows (low to high frequency) and
/// `nFrames` columns: value(m, t) = values[m * nFrames + t]. Same layout as torchaudio's
/// (n_mels, time) output.
struct Spectrogram {
    int nMels = 0;
    int nFrames = 0;
    std::vector<float> values;

    float at(int mel, int frame) const { return values[size_t(mel) * size_t(nFrames) + size_t(frame)]; }
    float& at(int mel, int frame) { return values[size_t(mel) * size_t(nFrames) + size_t(frame)]; }
};

/// torchaudio-exact MelSpectrogram(power=2) and AmplitudeToDB(): periodic Hann window of
/// nFft, centred frames with reflect padding, HTK mel scale without normalisation, power
/// spectrum, and 10*log10(max(x, 1e-10)) without top_db. FFTW plans are made once in the
/// constructor; compute functions are const and safe to call from several threads at once.
///
/// Inputs torchaudio rejects: an empty signal gives a spectrogram with 0 frames; a signal of
/// at most nFft/2 samples (too short to reflect) is zero-padded at its end to nFft/2 + 1
/// samples first, and the result keeps config().frameCount(original length) frames.
class MelSpectrogram {
public:
    /// Checks that `config` describes a usable front end: positive rate, even nFft >= 2,
    /// positive hop and nMels, 0 <= fMin < fMax <= sampleRate / 2.
    static Result<void> validate(const MelConfig& config);
    /// Builds a front end after validate(); the error says which setting is wrong.
    static Result<MelSpectrogram> create(const MelConfig& config);

    /// Builds the filterbank and FFTW plan (any thread). Throws std::invalid_argument when
    /// validate(config) fails -- use create() to get an error value instead.
    explicit MelSpectrogram(const MelConfig& config);
    ~MelSpectrogram();
    MelSpectrogram(MelSpectrogram&&) noexcept;
    MelSpectrogram& operator=(MelSpectrogram&&) noexcept;

    const MelConfig& config() const;
    /// The mel filterbank, row-major nFreqs x nMels (torchaudio's fb layout).
    const std::vector<float>& filterbank() const;

    /// Mel power spectrogram of `samples` (mono, at config().sampleRate).
    Spectrogram power(std::span<const float> samples) const;
    /// Mel spectrogram in dB (power -> 10*log10(max(x, 1e-10))).
    Spectrogram decibels(std::span<const float> samples) const;
    /// In-place power -> dB conversion, as AmplitudeToDB(stype="power", top_db=None).
    static void toDecibels(Spectrogram& spectrogram);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace tagscope::dsp
