// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dsp/mel_filterbank.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <sleef.h>

namespace tagscope::dsp {

namespace {

// NOTE: torchaudio's _hz_to_mel works on Python floats (double); the result becomes a
// float32 only when it enters torch.linspace.
double hzToMelHtk(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }

// NOTE: torch evaluates `10 ** x` on float32 tensors with SLEEF's powf (1-ulp, not correctly
// rounded): the 8-lane AVX2 kernel for blocks of 16 elements, std::pow for the tail. The
// filter slopes divide by differences of neighbouring mel points, so a single ulp in a point
// moves weights by up to 2e-5; calling the same SLEEF routine makes the filterbank equal to
// torch's. SLEEF's scalar FMA variant gives the AVX2 kernel's results bit for bit; its header
// declares it only when compiling for FMA, hence the declaration here (the plain variant is
// declared by the header; declaring it again with another return type breaks clang).
#if defined(__x86_64__)
extern "C" float Sleef_finz_powf1_u10purecfma(float, float);

float sleefPowf(float base, float exponent) {
    static const bool hasFma = __builtin_cpu_supports("fma");
    return hasFma ? Sleef_finz_powf1_u10purecfma(base, exponent) : Sleef_cinz_powf1_u10purec(base, exponent);
}
#else
float sleefPowf(float base, float exponent) { return Sleef_powf_u10(base, exponent); }
#endif

/// torchaudio's _mel_to_hz (htk) on a float32 tensor: 700 * (10 ** (mels / 2595) - 1).
std::vector<float> melToHzHtk(const std::vector<float>& mels) {
    constexpr size_t kBlock = 16; // torch's vectorised loop: two 8-lane vectors per step
    const size_t vectorised = mels.size() / kBlock * kBlock;
    std::vector<float> hz(mels.size());
    for (size_t i = 0; i < mels.size(); ++i) {
        const float exponent = mels[i] / 2595.0f;
        const float power = i < vectorised ? sleefPowf(10.0f, exponent) : std::pow(10.0f, exponent);
        hz[i] = 700.0f * (power - 1.0f);
    }
    return hz;
}

} // namespace

namespace detail {

std::vector<float> torchLinspace(float start, float end, int steps) {
    std::vector<float> out(size_t(std::max(steps, 0)));
    if (steps <= 0) return out;
    if (steps == 1) {
        out[0] = start;
        return out;
    }
    const float step = (end - start) / static_cast<float>(steps - 1);
    const int halfway = steps / 2;
    // NOTE: torch's kernel is compiled for AVX2 + FMA, so the compiler fuses these
    // multiply-adds (one rounding); the checks against torch.linspace in development agreed
    // bit for bit only with the fused form.
    auto scalarAt = [&](int idx) {
        return idx < halfway ? std::fma(step, static_cast<float>(idx), start)
                             : std::fma(-step, static_cast<float>(steps - idx - 1), end);
    };
    // NOTE: torch's CPU kernel fills blocks of 16 (two 8-lane vectors); each vector starts at
    // the scalar formula for its first index and adds j * step (not fused), picking the half
    // by its first index. The remaining tail uses the scalar formula.
    constexpr int kLanes = 8;
    int idx = 0;
    for (; idx + 2 * kLanes <= steps; idx += 2 * kLanes) {
        for (int v = idx; v < idx + 2 * kLanes; v += kLanes) {
            const float base = scalarAt(v);
            for (int j = 0; j < kLanes; ++j) out[size_t(v + j)] = base + static_cast<float>(j) * step;
        }
    }
    for (; idx < steps; ++idx) out[size_t(idx)] = scalarAt(idx);
    return out;
}

} // namespace detail

std::vector<float> melFilterbank(const MelConfig& config) {
    const int nFreqs = config.nFreqs();
    const int nMels = config.nMels;
    const auto allFreqs = detail::torchLinspace(0.0f, static_cast<float>(config.sampleRate / 2), nFreqs);
    const auto melPts = detail::torchLinspace(static_cast<float>(hzToMelHtk(config.fMin)),
                                              static_cast<float>(hzToMelHtk(config.fMax)), nMels + 2);
    const std::vector<float> fPts = melToHzHtk(melPts);
    std::vector<float> fDiff(fPts.size() - 1);
    for (size_t i = 0; i + 1 < fPts.size(); ++i) fDiff[i] = fPts[i + 1] - fPts[i];

    std::vector<float> fb(size_t(nFreqs) * size_t(nMels));
    for (int k = 0; k < nFreqs; ++k) {
        for (int m = 0; m < nMels; ++m) {
            const float down = (-1.0f * (fPts[size_t(m)] - allFreqs[size_t(k)])) / fDiff[size_t(m)];
            const float up = (fPts[size_t(m) + 2] - allFreqs[size_t(k)]) / fDiff[size_t(m) + 1];
            fb[size_t(k) * size_t(nMels) + size_t(m)] = std::max(0.0f, std::min(down, up));
        }
    }
    return fb;
}

std::vector<float> periodicHannWindow(int n) {
    std::vector<float> w(size_t(std::max(n, 0)));
    // NOTE: torch builds the periodic window as a symmetric one of n + 1 points, so the angle
    // step is 2 pi / n, applied in float32 like torch's arange(...).mul_(2 pi / n).
    const auto angleStep = static_cast<float>(2.0 * std::numbers::pi / double(n));
    for (int i = 0; i < n; ++i) {
        const float c = std::cos(static_cast<float>(i) * angleStep);
        w[size_t(i)] = c * -0.5f + 0.5f;
    }
    return w;
}

} // namespace tagscope::dsp
