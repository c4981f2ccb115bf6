// SPDX-License-Identifier: GPL-3.0-or-later
// Pure mapping between Hz and mel-bin positions of an HTK mel filterbank (no Qt widgets).
#pragma once

#include <vector>

#include "core/dsp/mel_spectrogram.h"

namespace tagscope::ui {

/// Positions of frequencies on the rows of a mel spectrogram made with `config`:
/// row m is the filter centred on the (m+1)-th of nMels+2 points equally spaced in HTK mel
/// between fMin and fMax, so row positions are fractional and monotonic in Hz.
class MelScale {
public:
    explicit MelScale(const dsp::MelConfig& config);

    /// HTK mel of a frequency in Hz.
    static double hzToMel(double hz);
    /// Frequency in Hz of an HTK mel value.
    static double melToHz(double mel);

    /// Fractional row (0 = lowest filter) whose centre frequency is `hz`.
    double hzToRow(double hz) const;
    /// Centre frequency in Hz of fractional row `row`.
    double rowToHz(double row) const;
    /// The standard label frequencies (100, 250, 500, 1k, 2k, 4k, 8k, 16k Hz) inside the
    /// filterbank's centre range.
    std::vector<double> labelFrequencies() const;
    /// "250 Hz", "1k", "2.5k" style label.
    static std::string formatHz(double hz);

private:
    double m_melMin;
    double m_melMax;
    int m_nMels;
};

} // namespace tagscope::ui
