// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/rhythm_features.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include <aubio/aubio.h>

namespace tagscope::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct FvecDeleter {
    void operator()(fvec_t* v) const { del_fvec(v); }
};
struct TempoDeleter {
    void operator()(aubio_tempo_t* t) const { del_aubio_tempo(t); }
};
struct OnsetDeleter {
    void operator()(aubio_onset_t* o) const { del_aubio_onset(o); }
};

} // namespace

Result<RhythmAnalysis> analyzeRhythm(std::span<const float> x, int sampleRate, const CancelToken* cancel) {
    if (sampleRate < 8000) return fail(Error::Kind::InvalidInput, {}, "sample rate too low for rhythm features");
    // NOTE: aubio is tuned for 1024/512 at 44.1 kHz; keep the same durations at other rates.
    uint_t hop = 256, win = 1024;
    while (double(hop) / sampleRate < 0.0087) {
        hop *= 2;
        win *= 2;
    }
    const auto sr = uint_t(sampleRate);
    std::unique_ptr<aubio_tempo_t, TempoDeleter> tempo(new_aubio_tempo("default", win, hop, sr));
    std::unique_ptr<aubio_onset_t, OnsetDeleter> onset(new_aubio_onset("hfc", win, hop, sr));
    std::unique_ptr<fvec_t, FvecDeleter> in(new_fvec(hop)), beatOut(new_fvec(1)), onsetOut(new_fvec(1));
    if (!tempo || !onset || !in || !beatOut || !onsetOut)
        return fail(Error::Kind::Internal, {}, "aubio could not set up the beat tracker");
    RhythmAnalysis r;
    r.envelopeRate = double(sampleRate) / hop;
    r.onsetEnvelope.reserve(x.size() / hop + 1);
    for (size_t off = 0; off < x.size(); off += hop) {
        if (((off / hop) & 1023) == 0 && isCancelled(cancel)) return fail(Error::cancelled());
        for (uint_t i = 0; i < hop; ++i) in->data[i] = off + i < x.size() ? x[off + i] : 0.0f;
        aubio_tempo_do(tempo.get(), in.get(), beatOut.get());
        if (beatOut->data[0] != 0) r.beatSeconds.push_back(aubio_tempo_get_last_s(tempo.get()));
        aubio_onset_do(onset.get(), in.get(), onsetOut.get());
        if (onsetOut->data[0] != 0) r.onsetSeconds.push_back(aubio_onset_get_last_s(onset.get()));
        r.onsetEnvelope.push_back(aubio_onset_get_descriptor(onset.get()));
    }
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

double onsetRate(std::span<const double> onsets, double t0, double t1) {
    if (t1 <= t0) return kNaN;
    const auto n = std::count_if(onsets.begin(), onsets.end(), [&](double t) { return t >= t0 && t < t1; });
    return double(n) / (t1 - t0);
}

double beatLoudnessDb(std::span<const float> x, int sampleRate, std::span<const double> beats, double t0, double t1) {
    const size_t len = size_t(0.05 * sampleRate);
    double sum = 0;
    size_t count = 0;
    for (double b : beats) {
        if (b < t0 || b >= t1) continue;
        const size_t start = size_t(std::max(0.0, b) * sampleRate);
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
