// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/tonal_features.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/features/harmonic_patterns.h"

namespace tagscope::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
constexpr double kMajorProfile[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr double kMinorProfile[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

double pearson(const double* a, const double* b, size_t n) {
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= double(n);
    mb /= double(n);
    double num = 0, da = 0, db = 0;
    for (size_t i = 0; i < n; ++i) {
        num += (a[i] - ma) * (b[i] - mb);
        da += (a[i] - ma) * (a[i] - ma);
        db += (b[i] - mb) * (b[i] - mb);
    }
    return da > 0 && db > 0 ? num / std::sqrt(da * db) : 0.0;
}

double total(const Chroma& c) {
    double s = 0;
    for (double v : c) s += v;
    return s;
}

/// Index 0..11 major triads on C..B, 12..23 minor; -1 for silence.
int bestTriad(const Chroma& c) {
    const double norm = std::sqrt([&] {
        double s = 0;
        for (double v : c) s += v * v;
        return s;
    }());
    if (norm <= 0) return -1;
    int best = -1;
    double bestScore = -1;
    for (int t = 0; t < 24; ++t) {
        const int root = t % 12, third = t < 12 ? 4 : 3;
        const double score = (c[size_t(root)] + c[size_t((root + third) % 12)] + c[size_t((root + 7) % 12)]) /
                             (norm * std::sqrt(3.0));
        if (score > bestScore) {
            bestScore = score;
            best = t;
        }
    }
    return best;
}

} // namespace

KeyEstimate estimateKey(const Chroma& chroma) {
    KeyEstimate k;
    if (total(chroma) <= 0) return k;
    k.valid = true;
    k.strength = -2;
    for (int tonic = 0; tonic < 12; ++tonic)
        for (int m = 0; m < 2; ++m) {
            double rotated[12];
            for (int i = 0; i < 12; ++i) rotated[(tonic + i) % 12] = (m ? kMinorProfile : kMajorProfile)[i];
            const double r = pearson(chroma.data(), rotated, 12);
            if (r > k.strength) {
                k.strength = r;
                k.tonic = tonic;
                k.minor = m == 1;
            }
        }
    return k;
}

std::vector<ChordEvent> estimateChords(std::span<const Chroma> chroma, double firstFrameSeconds, double hopSeconds,
                                       const KeyEstimate& key) {
    const size_t n = chroma.size();
    const int half = std::max(1, int(std::lround(0.25 / hopSeconds)));
    std::vector<int> label(n, -1);
    for (size_t i = 0; i < n; ++i) {
        if (total(chroma[i]) <= 0) continue;  // silence ends a chord
        Chroma s{};
        for (int d = -half; d <= half; ++d) {
            const long j = long(i) + d;
            if (j < 0 || j >= long(n)) continue;
            const double t = total(chroma[size_t(j)]);
            if (t <= 0) continue;
            for (size_t k = 0; k < 12; ++k) s[k] += chroma[size_t(j)][k] / t;
        }
        label[i] = bestTriad(s);
    }
    // Majority filter over 5 frames.
    std::vector<int> filtered(label);
    for (size_t i = 0; i < n; ++i) {
        if (label[i] < 0) continue;
        int votes[24] = {};
        for (long j = long(i) - 2; j <= long(i) + 2; ++j)
            if (j >= 0 && j < long(n) && label[size_t(j)] >= 0) ++votes[label[size_t(j)]];
        filtered[i] = int(std::max_element(votes, votes + 24) - votes);
        if (votes[filtered[i]] <= votes[label[i]]) filtered[i] = label[i];
    }
    // Runs, then merge short ones (< 3 frames) into the previous chord.
    struct Run { int label; size_t begin, end; };
    std::vector<Run> runs;
    for (size_t i = 0; i < n; ++i) {
        if (!runs.empty() && runs.back().label == filtered[i] && runs.back().end == i) {
            runs.back().end = i + 1;
        } else {
            runs.push_back({filtered[i], i, i + 1});
        }
    }
    std::vector<Run> merged;
    for (const auto& r : runs) {
        if (r.label < 0) {
            merged.push_back(r);
            continue;
        }
        if (r.end - r.begin < 3 && !merged.empty() && merged.back().label >= 0 && merged.back().end == r.begin) {
            merged.back().end = r.end;
            continue;
        }
        if (!merged.empty() && merged.back().label == r.label && merged.back().end == r.begin) {
            merged.back().end = r.end;
            continue;
        }
        merged.push_back(r);
    }
    std::vector<ChordEvent> chords;
    for (const auto& r : merged) {
        if (r.label < 0) continue;
        ChordEvent c;
        c.root = r.label % 12;
        c.minor = r.label >= 12;
        c.startSeconds = std::max(0.0, firstFrameSeconds + (double(r.begin) - 0.5) * hopSeconds);
        c.endSeconds = firstFrameSeconds + (double(r.end) - 0.5) * hopSeconds;
        c.function = key.valid ? harmonicFunction(c.root, c.minor, key.tonic, key.minor) : HarmonicFunction::Other;
        chords.push_back(c);
    }
    return chords;
}

void harmonicFeatures(std::span<const ChordEvent> chords, double t0, double t1, std::vector<double>& values) {
    std::vector<ChordEvent> inside;
    for (const auto& c : chords)
        if (c.endSeconds > t0 && c.startSeconds < t1) inside.push_back(c);
    auto set = [&](std::string_view key, double v) {
        if (auto i = featureIndex(key)) values[*i] = v;
    };
    const double duration = t1 - t0;
    size_t changes = 0;
    for (size_t i = 1; i < inside.size(); ++i)
        if (inside[i].startSeconds > t0 && (inside[i].root != inside[i - 1].root || inside[i].minor != inside[i - 1].minor))
            ++changes;
    set("chord_change_rate", inside.empty() || duration <= 0 ? kNaN : double(changes) / duration);
    size_t t = 0, s = 0, d = 0;
    for (const auto& c : inside) {
        t += c.function == HarmonicFunction::Tonic;
        s += c.function == HarmonicFunction::Subdominant;
        d += c.function == HarmonicFunction::Dominant;
    }
    const double count = double(inside.size());
    set("tonic_share", inside.empty() ? kNaN : double(t) / count);
    set("subdominant_share", inside.empty() ? kNaN : double(s) / count);
    set("dominant_share", inside.empty() ? kNaN : double(d) / count);
    const auto freq = patternFrequencies(inside);
    const auto& patterns = harmonicPatterns();
    for (size_t i = 0; i < patterns.size(); ++i) set(patternKey(patterns[i]), freq[i]);
}

} // namespace tagscope::features
