// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dsp/sinc_resampler.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>

namespace tagscope::dsp {

namespace {

constexpr int kLowpassFilterWidth = 6; // torchaudio's default zero crossings per side
constexpr double kRolloff = 0.99;      // torchaudio's default cutoff, relative to Nyquist
constexpr int kMaxPhases = 100000;

} // namespace

int64_t SincResampler::outputLength(int64_t inputFrames, int fromRate, int toRate) {
    if (fromRate <= 0 || toRate <= 0 || inputFrames <= 0) return 0;
    const int64_t whole = inputFrames / fromRate;
    const int64_t rest = inputFrames % fromRate;
    return whole * toRate + (rest * toRate + fromRate - 1) / fromRate;
}

Result<SincResampler> SincResampler::create(int fromRate, int toRate) {
    if (fromRate <= 0 || toRate <= 0) {
        return fail(Error::Kind::InvalidInput, {},
                    "cannot resample from " + std::to_string(fromRate) + " Hz to " + std::to_string(toRate) +
                        " Hz: sample rates must be positive");
    }
    SincResampler r;
    r.m_fromRate = fromRate;
    r.m_toRate = toRate;
    const int gcd = std::gcd(fromRate, toRate);
    r.m_orig = fromRate / gcd;
    r.m_new = toRate / gcd;
    if (fromRate == toRate) return r; // torchaudio returns the input unchanged
    if (r.m_new > kMaxPhases) {
        return fail(Error::Kind::InvalidInput, {},
                    "cannot resample from " + std::to_string(fromRate) + " Hz to " + std::to_string(toRate) +
                        " Hz: the rates share too small a common divisor for a polyphase filter");
    }

    // NOTE: torchaudio's _get_sinc_resample_kernel, in float64 and in its order of operations,
    // rounded to float32. Taps with |t| >= lowpass_filter_width are zero (clamped t, window
    // cos(pi/2)^2 ~ 4e-33 rounds to 0 in float32), so each phase evaluates only the taps its
    // window covers.
    const double orig = r.m_orig;
    const double news = r.m_new;
    const double baseFreq = std::min(orig, news) * kRolloff;
    r.m_width = int(std::ceil(kLowpassFilterWidth * orig / baseFreq));
    const int kernelSize = 2 * r.m_width + r.m_orig;
    const double scale = baseFreq / orig;
    const double reach = kLowpassFilterWidth / baseFreq * orig; // taps either side of centre
    r.m_phases.resize(size_t(r.m_new));
    std::vector<float> taps;
    for (int j = 0; j < r.m_new; ++j) {
        const double centre = r.m_width + orig * (double(j) / news);
        const int lo = std::max(0, int(std::floor(centre - reach)) - 1);
        const int hi = std::min(kernelSize - 1, int(std::ceil(centre + reach)) + 1);
        taps.clear();
        int first = -1;
        for (int i = lo; i <= hi; ++i) {
            double t = (-double(j) / news + double(i - r.m_width) / orig) * baseFreq;
            t = std::clamp(t, double(-kLowpassFilterWidth), double(kLowpassFilterWidth));
            const double c = std::cos(t * std::numbers::pi / kLowpassFilterWidth / 2);
            const double window = c * c;
            t *= std::numbers::pi;
            const double sinc = t == 0.0 ? 1.0 : std::sin(t) / t;
            const auto w = static_cast<float>(sinc * (window * scale));
            if (w == 0.0f && first < 0) continue;
            if (first < 0) first = i;
            taps.push_back(w);
        }
        while (!taps.empty() && taps.back() == 0.0f) taps.pop_back();
        Phase& p = r.m_phases[size_t(j)];
        p.offset = first < 0 ? 0 : first;
        p.count = int(taps.size());
        p.weightIndex = r.m_weights.size();
        r.m_weights.insert(r.m_weights.end(), taps.begin(), taps.end());
    }
    return r;
}

float SincResampler::outputAt(int64_t o, const float* x, int64_t base, int64_t known) const {
    const int64_t frame = o / m_new;
    const Phase& p = m_phases[size_t(o % m_new)];
    const float* w = m_weights.data() + p.weightIndex;
    // First input sample under the phase's taps; the left zero padding is m_width.
    const int64_t start = frame * m_orig + p.offset - m_width;
    float acc = 0.0f;
    if (start >= std::max<int64_t>(0, base) && start + p.count <= known) {
        const float* src = x + (start - base);
        for (int k = 0; k < p.count; ++k) acc += w[k] * src[k];
    } else {
        for (int k = 0; k < p.count; ++k) {
            const int64_t i = start + k;
            if (i >= 0 && i < known) acc += w[k] * x[i - base];
        }
    }
    return acc;
}

int64_t SincResampler::inputEndOf(int64_t o) const {
    const Phase& p = m_phases[size_t(o % m_new)];
    return (o / m_new) * m_orig + p.offset - m_width + p.count;
}

int64_t SincResampler::inputStartOf(int64_t o) const { return (o / m_new) * m_orig - m_width; }

std::vector<float> SincResampler::process(std::span<const float> input) const {
    if (m_fromRate == m_toRate) return {input.begin(), input.end()};
    const auto n = static_cast<int64_t>(input.size());
    const int64_t outLength = outputLength(n, m_fromRate, m_toRate);
    std::vector<float> out(size_t(std::max<int64_t>(outLength, 0)));
    for (int64_t o = 0; o < outLength; ++o) out[size_t(o)] = outputAt(o, input.data(), 0, n);
    return out;
}

} // namespace tagscope::dsp
