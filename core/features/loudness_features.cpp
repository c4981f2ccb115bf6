// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/loudness_features.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include <ebur128.h>

namespace tagscope::features {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
struct StateDeleter {
    void operator()(ebur128_state* s) const { ebur128_destroy(&s); }
};
} // namespace

Result<LoudnessMeasure> measureLoudness(std::span<const float> x, int sampleRate, bool dualMono) {
    if (sampleRate < 8000) return fail(Error::Kind::InvalidInput, {}, "sample rate too low for loudness");
    std::unique_ptr<ebur128_state, StateDeleter> st(
        ebur128_init(1, static_cast<unsigned long>(sampleRate), EBUR128_MODE_I | EBUR128_MODE_LRA));
    if (!st) return fail(Error::Kind::Internal, {}, "libebur128 could not be set up");
    ebur128_set_channel(st.get(), 0, dualMono ? EBUR128_DUAL_MONO : EBUR128_CENTER);
    // NOTE: fed in chunks: libebur128 allocates per call proportionally to the frame count.
    constexpr size_t kChunk = 1 << 16;
    for (size_t off = 0; off < x.size(); off += kChunk) {
        const size_t n = std::min(kChunk, x.size() - off);
        if (ebur128_add_frames_float(st.get(), x.data() + off, n) != EBUR128_SUCCESS)
            return fail(Error::Kind::Internal, {}, "libebur128 failed while measuring loudness");
    }
    LoudnessMeasure m;
    if (ebur128_loudness_global(st.get(), &m.integratedLufs) != EBUR128_SUCCESS || !std::isfinite(m.integratedLufs))
        m.integratedLufs = kNaN;
    if (ebur128_loudness_range(st.get(), &m.rangeLu) != EBUR128_SUCCESS || !std::isfinite(m.rangeLu))
        m.rangeLu = kNaN;
    return m;
}

double dynamicComplexityDb(std::span<const float> x, int sampleRate) {
    const size_t frame = size_t(0.2 * sampleRate);
    if (frame == 0) return kNaN;
    std::vector<double> levels;
    for (size_t off = 0; off + frame <= x.size(); off += frame) {
        double e = 0;
        for (size_t i = off; i < off + frame; ++i) e += double(x[i]) * x[i];
        const double db = 10.0 * std::log10(e / double(frame) + 1e-20);
        if (db > -60.0) levels.push_back(db);
    }
    if (levels.size() < 2) return kNaN;
    double mean = 0;
    for (double l : levels) mean += l;
    mean /= double(levels.size());
    double mad = 0;
    for (double l : levels) mad += std::abs(l - mean);
    return mad / double(levels.size());
}

} // namespace tagscope::features
