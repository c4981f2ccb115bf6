// SPDX-License-Identifier: GPL-3.0-or-later
// Key, mode and key strength from chroma (Krumhansl-Kessler profiles), and the chord sequence
// from chroma templates (24 major/minor triads) with each chord's function in the key.
#pragma once

#include <span>
#include <vector>

#include "core/features/feature_set.h"
#include "core/features/spectral_features.h"

namespace tagscope::features {

/// An estimated key.
struct KeyEstimate {
    int tonic = 0;           ///< pitch class, 0 = C
    bool minor = false;
    double strength = 0;     ///< Pearson correlation with the winning profile, -1..1
    bool valid = false;      ///< false when the chroma is empty (silence)
    std::string name() const { return valid ? keyName(tonic, minor) : std::string(); }
};

/// The key whose rotated Krumhansl-Kessler profile correlates best with `chroma`.
KeyEstimate estimateKey(const Chroma& chroma);

/// The chord sequence of per-frame chroma (frames `hopSeconds` apart, first centred at
/// `firstFrameSeconds`): chroma smoothed over ~0.5 s, best triad template per frame (cosine
/// similarity), a 5-frame majority filter, runs shorter than 3 frames merged into their
/// neighbour. Silent frames end a chord. Functions are set relative to `key` (Other if invalid).
std::vector<ChordEvent> estimateChords(std::span<const Chroma> chroma, double firstFrameSeconds,
                                       double hopSeconds, const KeyEstimate& key);

/// Chord change rate (changes per second), function shares and pattern frequencies of the
/// chords overlapping [t0, t1), written into catalog-ordered `values`.
void harmonicFeatures(std::span<const ChordEvent> chords, double t0, double t1, std::vector<double>& values);

} // namespace tagscope::features
