// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/harmonic_patterns.h"

#include <cctype>
#include <limits>

namespace tagscope::features {

const std::vector<HarmonicPattern>& harmonicPatterns() {
    static const std::vector<HarmonicPattern> patterns = [] {
        using F = HarmonicFunction;
        const F all[3] = {F::Tonic, F::Subdominant, F::Dominant};
        std::vector<HarmonicPattern> p;
        for (F a : all)
            for (F b : all)
                if (a != b) p.push_back({a, b});
        for (F a : all)
            for (F b : all)
                for (F c : all)
                    if (a != b && b != c) p.push_back({a, b, c});
        return p;
    }();
    return patterns;
}

std::string patternName(const HarmonicPattern& p) {
    std::string s;
    for (size_t i = 0; i < p.size(); ++i) s += (i ? "->" : "") + std::string(functionSymbol(p[i]));
    return s;
}

std::string patternKey(const HarmonicPattern& p) {
    std::string s = "pattern";
    for (auto f : p) s += "_" + std::string(1, char(std::tolower(functionSymbol(f)[0])));
    return s;
}

HarmonicFunction harmonicFunction(int root, bool minor, int tonic, bool minorKey) {
    using F = HarmonicFunction;
    const int d = (((root - tonic) % 12) + 12) % 12;
    if (!minorKey) {
        if ((d == 0 && !minor) || (d == 9 && minor) || (d == 4 && minor)) return F::Tonic;
        if ((d == 5 && !minor) || (d == 2 && minor)) return F::Subdominant;
        if (d == 7 && !minor) return F::Dominant;
        return F::Other;
    }
    if ((d == 0 && minor) || (d == 3 && !minor)) return F::Tonic;
    if (d == 5 || (d == 8 && !minor)) return F::Subdominant;
    if (d == 7 || (d == 10 && !minor)) return F::Dominant;
    return F::Other;
}

std::vector<double> patternFrequencies(std::span<const ChordEvent> chords) {
    std::vector<HarmonicFunction> seq;
    for (const auto& c : chords) {
        if (c.function == HarmonicFunction::Other) continue;
        if (!seq.empty() && seq.back() == c.function) continue;
        seq.push_back(c.function);
    }
    const auto& patterns = harmonicPatterns();
    std::vector<double> out(patterns.size(), std::numeric_limits<double>::quiet_NaN());
    for (size_t pi = 0; pi < patterns.size(); ++pi) {
        const auto& p = patterns[pi];
        if (seq.size() < p.size()) continue;
        const size_t windows = seq.size() - p.size() + 1;
        size_t hits = 0;
        for (size_t i = 0; i < windows; ++i) {
            bool match = true;
            for (size_t k = 0; k < p.size() && match; ++k) match = seq[i + k] == p[k];
            hits += match ? 1 : 0;
        }
        out[pi] = double(hits) / double(windows);
    }
    return out;
}

} // namespace tagscope::features
