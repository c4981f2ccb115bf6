// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/spectral_frame.h"

#include <algorithm>
#include <cmath>

namespace tagscope::features::detail {

std::vector<SpectralPeak> findPeaks(std::span<const double> mag, double binHz, double threshold) {
    std::vector<SpectralPeak> peaks;
    for (size_t k = 1; k + 1 < mag.size(); ++k) {
        const double m = mag[k];
        if (m <= threshold || m <= mag[k - 1] || m < mag[k + 1]) continue;
        // NOTE: parabolic interpolation on log magnitude refines the frequency well below a bin.
        const double a = std::log(mag[k - 1] + 1e-12), b = std::log(m + 1e-12), c = std::log(mag[k + 1] + 1e-12);
        const double den = a - 2 * b + c;
        const double delta = den < 0 ? std::clamp(0.5 * (a - c) / den, -0.5, 0.5) : 0.0;
        peaks.push_back({(double(k) + delta) * binHz, m});
    }
    std::sort(peaks.begin(), peaks.end(), [](const SpectralPeak& x, const SpectralPeak& y) {
        return x.magnitude > y.magnitude;
    });
    return peaks;
}

double plompLevelt(double f1, double f2) {
    const double lo = std::min(f1, f2), d = std::abs(f2 - f1);
    const double s = 0.24 / (0.021 * lo + 19.0);
    return std::exp(-3.5 * s * d) - std::exp(-5.75 * s * d);
}

double sensoryDissonance(std::span<const SpectralPeak> peaks, size_t maxPeaks) {
    // NOTE: maximum of exp(-3.5x) - exp(-5.75x), at x = ln(5.75/3.5)/2.25.
    static const double kCurveMax = [] {
        const double x = std::log(5.75 / 3.5) / 2.25;
        return std::exp(-3.5 * x) - std::exp(-5.75 * x);
    }();
    const size_t n = std::min(peaks.size(), maxPeaks);
    if (n == 0) return std::nan("");
    double num = 0, den = 0;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) {
            const double w = std::min(peaks[i].magnitude, peaks[j].magnitude);
            num += w * plompLevelt(peaks[i].hz, peaks[j].hz);
            den += w;
        }
    return den > 0 ? std::clamp(num / (den * kCurveMax), 0.0, 1.0) : 0.0;
}

Chroma peakChroma(std::span<const SpectralPeak> peaks) {
    Chroma c{};
    for (const auto& p : peaks) {
        if (p.hz < 65.0 || p.hz > 2100.0) continue;
        const double midi = 69.0 + 12.0 * std::log2(p.hz / 440.0);
        const int pc = ((int(std::lround(midi)) % 12) + 12) % 12;
        c[size_t(pc)] += p.magnitude;
    }
    return c;
}

} // namespace tagscope::features::detail
