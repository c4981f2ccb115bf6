// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/rhythm_features.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>

#include <aubio/aubio.h>

#include "core/dsp/fftw_planner.h"

namespace tagscope::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct FvecDeleter {
    void operator()(fvec_t* v) const { del_fvec(v); }
};
// aubio creates and destroys FFTW plans in these calls: they hold the planner mutex.
struct TempoDeleter {
    void operator()(aubio_tempo_t* t) const {
        std::lock_guard lock(dsp::fftwPlannerMutex());
        del_aubio_tempo(t);
    }
};
struct OnsetDeleter {
    void operator()(aubio_onset_t* o) const {
        std::lock_guard lock(dsp::fftwPlannerMutex());
        del_aubio_onset(o);
    }
};

struct Decimated {
    std::vector<float> samples;
    int sampleRate = 0;
};

/// Halves the rate while it stays >= 11 kHz (windowed-sinc low-pass at 0.45 of the new rate).
Decimated decimateForRhythm(std::span<const float> x, int rate) {
    Decimated d{std::vector<float>(x.begin(), x.end()), rate};
    constexpr int kTaps = 31, kHalf = kTaps / 2;
    double h[kTaps];
    double sum = 0;
    for (int i = 0; i < kTaps; ++i) {
        const double n = i - kHalf, fc = 0.225;  // of the input rate
        const double sinc = n == 0 ? 2 * fc : std::sin(2 * M_PI * fc * n) / (M_PI * n);
        h[i] = sinc * (0.42 - 0.5 * std::cos(2 * M_PI * i / (kTaps - 1)) + 0.08 * std::cos(4 * M_PI * i / (kTaps - 1)));
        sum += h[i];
    }
    for (double& v : h) v /= sum;
    while (d.sampleRate / 2 >= 11000) {
        const auto& s = d.samples;
        std::vector<float> out(s.size() / 2);
        for (size_t o = 0; o < out.size(); ++o) {
            const long c = long(2 * o);
            double acc = 0;
            for (int k = 0; k < kTaps; ++k) {
                const long j = c + k - kHalf;
                if (j >= 0 && j < long(s.size())) acc += h[k] * s[size_t(j)];
            }
            out[o] = float(acc);
        }
        d.samples = std::move(out);
        d.sampleRate /= 2;
    }
    return d;
}

/// Mean-removed, unbiased autocorrelation of env[b, e) at `lag`.
double autocorr(std::span<const float> env, size_t b, size_t e, double mean, size_t lag) {
    if (b + lag >= e) return 0.0;
    double r = 0;
    for (size_t i = b; i + lag < e; ++i) r += (env[i] - mean) * (env[i + lag] - mean);
    return r / double(e - b - lag);
}

} // namespace

Result<RhythmAnalysis> analyzeRhythm(std::span<const float> input, int sampleRate, const CancelToken* cancel) {
    if (sampleRate < 8000) return fail(Error::Kind::InvalidInput, {}, "sample rate too low for rhythm features");
    // NOTE: aubio runs at a quarter-ish rate (11.025 kHz from 22.05 kHz): beats and onsets live in
    // the envelope, not in the top octave, and it halves the tracker's cost. The hop (11.6 ms) and
    // window (46 ms) are aubio's defaults in time; the tracker's period is a whole number of hops,
    // which refineTempo() removes afterwards.
    const auto x = decimateForRhythm(input, sampleRate);
    sampleRate = x.sampleRate;
    uint_t hop = 32, win = 128;
    while (double(hop) / sampleRate < 0.0085) {
        hop *= 2;
        win *= 2;
    }
    const auto sr = uint_t(sampleRate);
    std::unique_ptr<aubio_tempo_t, TempoDeleter> tempo;
    std::unique_ptr<aubio_onset_t, OnsetDeleter> onset;
    {
        std::lock_guard lock(dsp::fftwPlannerMutex());
        tempo.reset(new_aubio_tempo("default", win, hop, sr));
        onset.reset(new_aubio_onset("hfc", win, hop, sr));
    }
    std::unique_ptr<fvec_t, FvecDeleter> in(new_fvec(hop)), beatOut(new_fvec(1)), onsetOut(new_fvec(1));
    if (!tempo || !onset || !in || !beatOut || !onsetOut)
        return fail(Error::Kind::Internal, {}, "aubio could not set up the beat tracker");
    // NOTE: aubio drops beats and onsets next to hops below its silence gate, so digital silence
    // between the hits of a sparse track (a click track) hides the hits themselves. A -100 dBFS
    // deterministic dither under a -110 dB gate avoids that; beats and onsets where the signal
    // itself is below -70 dBFS are dropped afterwards, so true silence still has none.
    aubio_tempo_set_silence(tempo.get(), -110);
    aubio_onset_set_silence(onset.get(), -110);
    uint32_t lcg = 12345;
    const std::vector<float>& samples = x.samples;
    RhythmAnalysis r;
    r.envelopeRate = double(sampleRate) / hop;
    r.onsetEnvelope.reserve(samples.size() / hop + 1);
    std::vector<double> hopDb;
    hopDb.reserve(samples.size() / hop + 1);
    for (size_t off = 0; off < samples.size(); off += hop) {
        if (((off / hop) & 1023) == 0 && isCancelled(cancel)) return fail(Error::cancelled());
        double e = 0;
        for (uint_t i = 0; i < hop; ++i) {
            const float s = off + i < samples.size() ? samples[off + i] : 0.0f;
            e += double(s) * s;
            lcg = lcg * 1664525u + 1013904223u;
            in->data[i] = s + 1e-5f * (float(lcg >> 8) / float(1u << 24) * 2.0f - 1.0f);
        }
        hopDb.push_back(10.0 * std::log10(e / hop + 1e-30));
        aubio_tempo_do(tempo.get(), in.get(), beatOut.get());
        if (beatOut->data[0] != 0) r.beatSeconds.push_back(aubio_tempo_get_last_s(tempo.get()));
        aubio_onset_do(onset.get(), in.get(), onsetOut.get());
        if (onsetOut->data[0] != 0) r.onsetSeconds.push_back(aubio_onset_get_last_s(onset.get()));
        r.onsetEnvelope.push_back(aubio_onset_get_descriptor(onset.get()));
    }
    const auto audible = [&](double t) {
        const long centre = long(t * sampleRate / hop), reach = long(0.05 * sampleRate / hop) + 1;
        for (long h = std::max(0L, centre - reach); h <= centre + reach && h < long(hopDb.size()); ++h)
            if (hopDb[size_t(h)] > -70.0) return true;
        return false;
    };
    std::erase_if(r.beatSeconds, [&](double t) { return !audible(t); });
    std::erase_if(r.onsetSeconds, [&](double t) { return !audible(t); });
    return r;
}

double tempoFromBeats(std::span<const double> beats, double t0, double t1) {
    std::vector<double> ibi;
    double prev = kNaN;
    for (double b : beats) {
        if (b < t0 || b >= t1) continue;
        if (!std::isnan(prev)) ibi.push_back(b - prev);
        prev = b;
    }
    if (ibi.size() < 2) return kNaN;
    std::nth_element(ibi.begin(), ibi.begin() + long(ibi.size() / 2), ibi.end());
    const double median = ibi[ibi.size() / 2];
    return median > 0 ? 60.0 / median : kNaN;
}

double refineTempo(std::span<const float> env, double rate, double bpm, double t0, double t1) {
    if (!(bpm > 0) || rate <= 0) return bpm;
    const size_t b = size_t(std::max(0.0, t0) * rate), e = std::min(env.size(), size_t(std::max(0.0, t1) * rate));
    if (e <= b + 8) return bpm;
    double mean = 0;
    for (size_t i = b; i < e; ++i) mean += env[i];
    mean /= double(e - b);
    const double period = 60.0 * rate / bpm;  // in envelope frames
    // NOTE: the k-th multiple of the period (as far as half the window allows) divides the
    // interpolation error by k.
    const int k = std::min(8, int(double(e - b) / (2.0 * period)));
    if (k < 1) return bpm;
    const long centre = std::lround(k * period), reach = k + 1;
    long best = -1;
    double bestR = -1e300;
    for (long l = std::max(2L, centre - reach); l <= centre + reach; ++l) {
        const double r = autocorr(env, b, e, mean, size_t(l));
        if (r > bestR) {
            bestR = r;
            best = l;
        }
    }
    if (best < 3) return bpm;
    const double rm = autocorr(env, b, e, mean, size_t(best - 1)), rp = autocorr(env, b, e, mean, size_t(best + 1));
    const double den = rm - 2 * bestR + rp;
    const double delta = den < 0 ? std::clamp(0.5 * (rm - rp) / den, -0.5, 0.5) : 0.0;
    const double refined = 60.0 * rate * k / (double(best) + delta);
    // Only a correction of the hop quantization is accepted, never a different tempo.
    return std::abs(refined / bpm - 1.0) <= 0.04 ? refined : bpm;
}

double onsetRate(std::span<const double> onsets, double t0, double t1) {
    if (t1 <= t0) return kNaN;
    const auto n = std::count_if(onsets.begin(), onsets.end(), [&](double t) { return t >= t0 && t < t1; });
    return double(n) / (t1 - t0);
}

double beatLoudnessDb(std::span<const float> x, int sampleRate, std::span<const double> beats, double t0, double t1) {
    const size_t len = size_t(0.1 * sampleRate);
    double sum = 0;
    size_t count = 0;
    for (double b : beats) {
        if (b < t0 || b >= t1) continue;
        const size_t start = size_t(std::max(0.0, b - 0.05) * sampleRate);
        if (start >= x.size()) continue;
        const size_t end = std::min(x.size(), start + len);
        double e = 0;
        for (size_t i = start; i < end; ++i) e += double(x[i]) * x[i];
        sum += 10.0 * std::log10(e / double(end - start) + 1e-9);
        ++count;
    }
    return count ? sum / double(count) : kNaN;
}

double pulseClarity(std::span<const float> env, double rate, double t0, double t1) {
    const size_t b = size_t(std::max(0.0, t0) * rate), e = std::min(env.size(), size_t(std::max(0.0, t1) * rate));
    const size_t lo = size_t(std::lround(0.33 * rate)), hi = size_t(std::lround(1.5 * rate));
    if (e <= b || e - b < 2 * lo) return kNaN;
    const size_t n = e - b;
    double mean = 0;
    for (size_t i = b; i < e; ++i) mean += env[i];
    mean /= double(n);
    double r0 = 0;
    for (size_t i = b; i < e; ++i) r0 += (env[i] - mean) * (env[i] - mean);
    if (r0 <= 0) return 0.0;
    double best = 0;
    for (size_t lag = lo; lag <= std::min(hi, n / 2); ++lag) {
        double r = 0;
        for (size_t i = b; i + lag < e; ++i) r += (env[i] - mean) * (env[i + lag] - mean);
        // NOTE: unbiased scaling, so long lags on short segments are not penalised.
        best = std::max(best, r / double(n - lag) * double(n) / r0);
    }
    return std::clamp(best, 0.0, 1.0);
}

} // namespace tagscope::features
