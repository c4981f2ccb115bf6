// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/spectral_features.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>

#include <fftw3.h>

#include "core/dsp/fftw_planner.h"
#include "core/features/spectral_frame.h"

namespace tagscope::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSilenceRms = 1e-4;     // -80 dBFS
constexpr double kPeakThreshold = 0.005; // of full scale (a full-scale sine peaks at 1)

/// An FFTW r2c plan with its own aligned buffers; destroyed under the planner mutex.
struct RealFft {
    int n = 0;
    float* in = nullptr;
    fftwf_complex* out = nullptr;
    fftwf_plan plan = nullptr;
    explicit RealFft(int size) : n(size) {
        in = static_cast<float*>(fftwf_malloc(sizeof(float) * size_t(n)));
        out = static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * size_t(n / 2 + 1)));
        std::lock_guard lock(dsp::fftwPlannerMutex());
        plan = fftwf_plan_dft_r2c_1d(n, in, out, FFTW_ESTIMATE);
    }
    ~RealFft() {
        {
            std::lock_guard lock(dsp::fftwPlannerMutex());
            if (plan) fftwf_destroy_plan(plan);
        }
        fftwf_free(in);
        fftwf_free(out);
    }
    RealFft(const RealFft&) = delete;
    RealFft& operator=(const RealFft&) = delete;
    bool ok() const { return in && out && plan; }
};

std::vector<double> blackmanHarris(int n) {
    std::vector<double> w(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const double x = 2.0 * M_PI * i / n;
        w[size_t(i)] = 0.35875 - 0.48829 * std::cos(x) + 0.14128 * std::cos(2 * x) - 0.01168 * std::cos(3 * x);
    }
    return w;
}

/// Highest mean-removed autocorrelation of `mag` at lags of 100..5000 Hz over its zero lag,
/// computed with an FFT of twice the length (linear, not circular).
double pitchSalience(std::span<const double> mag, double binHz, RealFft& fft) {
    const double mean = std::accumulate(mag.begin(), mag.end(), 0.0) / double(mag.size());
    std::fill(fft.in, fft.in + fft.n, 0.0f);
    for (size_t k = 0; k < mag.size(); ++k) fft.in[k] = float(mag[k] - mean);
    fftwf_execute(fft.plan);
    // |X|^2 back through the same forward transform: for a real even sequence it equals the
    // inverse up to scale, which cancels in the ratio.
    std::vector<float> power(size_t(fft.n / 2 + 1));
    for (size_t k = 0; k < power.size(); ++k)
        power[k] = fft.out[k][0] * fft.out[k][0] + fft.out[k][1] * fft.out[k][1];
    for (int i = 0; i < fft.n; ++i) {
        const int k = i <= fft.n / 2 ? i : fft.n - i;
        fft.in[i] = power[size_t(k)];
    }
    fftwf_execute(fft.plan);
    const double r0 = fft.out[0][0];
    if (r0 <= 0) return 0.0;
    const size_t lo = size_t(std::ceil(100.0 / binHz)), hi = std::min(mag.size() - 1, size_t(5000.0 / binHz));
    double best = 0;
    for (size_t l = lo; l <= hi; ++l) best = std::max(best, double(fft.out[l][0]));
    return std::clamp(best / r0, 0.0, 1.0);
}

} // namespace

const std::array<const char*, kSpectralDescriptorCount>& spectralDescriptorKeys() {
    static const std::array<const char*, kSpectralDescriptorCount> keys = {
        "spectral_centroid_hz", "spectral_spread_hz", "spectral_rolloff_hz", "spectral_flux",
        "spectral_entropy", "spectral_flatness", "spectral_decrease", "spectral_complexity",
        "zero_crossing_rate", "energy_low", "energy_mid_low", "energy_mid_high", "energy_high",
        "pitch_salience", "dissonance"};
    return keys;
}

int spectralFrameSize(int sampleRate) {
    int n = 256;
    while (n < int(0.186 * sampleRate)) n *= 2;
    return n;
}

Result<SpectralFrames> analyzeSpectrum(std::span<const float> x, int sampleRate, const CancelToken* cancel) {
    if (sampleRate < 8000) return fail(Error::Kind::InvalidInput, {}, "sample rate too low for spectral features");
    SpectralFrames f;
    f.sampleRate = sampleRate;
    f.frameSize = spectralFrameSize(sampleRate);
    f.hopSize = f.frameSize / 2;
    const int n = f.frameSize;
    const size_t bins = size_t(n / 2 + 1);
    const double binHz = double(sampleRate) / n;
    const auto window = blackmanHarris(n);
    const double magScale = 2.0 / std::accumulate(window.begin(), window.end(), 0.0);
    RealFft fft(n), acf(2 * n);
    if (!fft.ok() || !acf.ok()) return fail(Error::Kind::Internal, {}, "could not set up the FFT");

    const size_t frames = x.size() < size_t(n) ? (x.empty() ? 0 : 1) : 1 + (x.size() - size_t(n)) / size_t(f.hopSize);
    f.descriptors.resize(frames);
    f.chroma.assign(frames, Chroma{});
    std::vector<double> mag(bins), prevUnit, unit(bins);
    const double nyquist = sampleRate / 2.0;
    const double bandEdges[5] = {20, 150, 800, 4000, nyquist};
    for (size_t fi = 0; fi < frames; ++fi) {
        if ((fi & 63) == 0 && isCancelled(cancel)) return fail(Error::cancelled());
        auto& d = f.descriptors[fi];
        d.fill(kNaN);
        const size_t off = fi * size_t(f.hopSize);
        double energy = 0;
        size_t crossings = 0;
        for (int i = 0; i < n; ++i) {
            const float s = off + size_t(i) < x.size() ? x[off + size_t(i)] : 0.0f;
            energy += double(s) * s;
            fft.in[i] = float(s * window[size_t(i)]);
            if (i > 0 && off + size_t(i) < x.size() && ((s >= 0) != (x[off + size_t(i) - 1] >= 0))) ++crossings;
        }
        if (std::sqrt(energy / n) < kSilenceRms) {
            prevUnit.clear();
            continue;
        }
        fftwf_execute(fft.plan);
        double sumMag = 0, sumPow = 0, sumLogPow = 0, weighted = 0;
        for (size_t k = 0; k < bins; ++k) {
            mag[k] = std::hypot(double(fft.out[k][0]), double(fft.out[k][1])) * magScale;
            sumMag += mag[k];
            sumPow += mag[k] * mag[k];
            sumLogPow += std::log(mag[k] * mag[k] + 1e-20);
            weighted += mag[k] * double(k) * binHz;
        }
        if (sumMag <= 0 || sumPow <= 0) continue;
        const double centroid = weighted / sumMag;
        double var = 0, entropy = 0, cum = 0, decNum = 0, decDen = 0, l2 = std::sqrt(sumPow);
        double rolloff = nyquist, bands[4] = {0, 0, 0, 0}, bandTotal = 0;
        size_t complexity = 0;
        for (size_t k = 0; k < bins; ++k) {
            const double hz = double(k) * binHz, p = mag[k] * mag[k];
            var += mag[k] * (hz - centroid) * (hz - centroid);
            if (p > 0) entropy -= (p / sumPow) * std::log(p / sumPow);
            if (cum < 0.85 * sumPow && cum + p >= 0.85 * sumPow) rolloff = hz;
            cum += p;
            if (k >= 2) {
                decNum += (mag[k] - mag[1]) / double(k - 1);
                decDen += mag[k];
            }
            for (int b = 0; b < 4; ++b)
                if (hz >= bandEdges[b] && hz < bandEdges[b + 1]) {
                    bands[b] += p;
                    bandTotal += p;
                }
            if (k > 0 && k + 1 < bins && mag[k] > kPeakThreshold && mag[k] > mag[k - 1] && mag[k] >= mag[k + 1])
                ++complexity;
            unit[k] = mag[k] / l2;
        }
        d[kCentroid] = centroid;
        d[kSpread] = std::sqrt(var / sumMag);
        d[kRolloff] = rolloff;
        if (!prevUnit.empty()) {
            double dist = 0;
            for (size_t k = 0; k < bins; ++k) dist += (unit[k] - prevUnit[k]) * (unit[k] - prevUnit[k]);
            d[kFlux] = std::sqrt(dist);
        }
        prevUnit = unit;
        d[kEntropy] = entropy / std::log(double(bins));
        d[kFlatness] = std::exp(sumLogPow / double(bins)) / (sumPow / double(bins));
        d[kDecrease] = decDen > 0 ? decNum / decDen : kNaN;
        d[kComplexity] = double(complexity);
        d[kZeroCrossing] = double(crossings) / double(n - 1);
        for (int b = 0; b < 4; ++b) d[kEnergyLow + size_t(b)] = bandTotal > 0 ? bands[b] / bandTotal : kNaN;
        d[kPitchSalience] = pitchSalience(mag, binHz, acf);
        const auto peaks = detail::findPeaks(mag, binHz, kPeakThreshold);
        d[kDissonance] = detail::sensoryDissonance(peaks);
        // NOTE: chroma from peaks within 60 dB of the frame's strongest, so the window's skirts and
        // quiet noise do not smear pitch classes.
        std::vector<detail::SpectralPeak> tonal;
        const double floor = peaks.empty() ? 0 : peaks.front().magnitude * 1e-3;
        for (const auto& p : peaks)
            if (p.magnitude >= floor) tonal.push_back(p);
        f.chroma[fi] = detail::peakChroma(tonal);
    }
    return f;
}

std::array<double, kSpectralDescriptorCount> meanDescriptors(const SpectralFrames& f, double t0, double t1) {
    std::array<double, kSpectralDescriptorCount> sum{}, count{};
    for (size_t i = 0; i < f.descriptors.size(); ++i) {
        const double t = f.frameTime(i);
        if (t < t0 || t >= t1) continue;
        for (size_t d = 0; d < kSpectralDescriptorCount; ++d)
            if (!std::isnan(f.descriptors[i][d])) {
                sum[d] += f.descriptors[i][d];
                count[d] += 1;
            }
    }
    for (size_t d = 0; d < kSpectralDescriptorCount; ++d) sum[d] = count[d] > 0 ? sum[d] / count[d] : kNaN;
    return sum;
}

Chroma sumChroma(const SpectralFrames& f, double t0, double t1) {
    Chroma c{};
    for (size_t i = 0; i < f.chroma.size(); ++i) {
        const double t = f.frameTime(i);
        if (t < t0 || t >= t1) continue;
        for (size_t k = 0; k < 12; ++k) c[k] += f.chroma[i][k];
    }
    return c;
}

} // namespace tagscope::features
