// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mel_scale.h"

#include <cmath>
#include <cstdio>

namespace tagscope::ui {

MelScale::MelScale(const dsp::MelConfig& config)
    : m_melMin(hzToMel(config.fMin)), m_melMax(hzToMel(config.fMax)), m_nMels(config.nMels) {}

double MelScale::hzToMel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }

double MelScale::melToHz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

double MelScale::hzToRow(double hz) const {
    const double step = (m_melMax - m_melMin) / double(m_nMels + 1);
    return (hzToMel(hz) - m_melMin) / step - 1.0;
}

double MelScale::rowToHz(double row) const {
    const double step = (m_melMax - m_melMin) / double(m_nMels + 1);
    return melToHz(m_melMin + (row + 1.0) * step);
}

std::vector<double> MelScale::labelFrequencies() const {
    std::vector<double> out;
    for (double hz : {100.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0}) {
        const double row = hzToRow(hz);
        if (row >= -0.5 && row <= m_nMels - 0.5) out.push_back(hz);
    }
    return out;
}

std::string MelScale::formatHz(double hz) {
    char buf[32];
    if (hz < 1000.0) std::snprintf(buf, sizeof buf, "%.0f Hz", hz);
    else if (std::fmod(hz, 1000.0) < 1.0) std::snprintf(buf, sizeof buf, "%.0fk", hz / 1000.0);
    else std::snprintf(buf, sizeof buf, "%.1fk", hz / 1000.0);
    return buf;
}

} // namespace tagscope::ui
