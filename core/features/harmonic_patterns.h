// SPDX-License-Identifier: GPL-3.0-or-later
// Harmonic functions of chords relative to a key, and the frequencies of 2- and 3-step
// function patterns (S->D->T ...) in a chord sequence (after Lyberatos et al., IEEE Access 2025).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/features/feature_set.h"

namespace tagscope::features {

/// A pattern of harmonic functions, consecutive entries distinct (e.g. {S, D, T}).
using HarmonicPattern = std::vector<HarmonicFunction>;

/// Every 2-step pattern (6) then every 3-step pattern (12) of T/S/D, in catalog order.
const std::vector<HarmonicPattern>& harmonicPatterns();

/// "S->D->T".
std::string patternName(const HarmonicPattern& p);
/// "pattern_s_d_t" (the catalog key).
std::string patternKey(const HarmonicPattern& p);

/// Function of the triad (root, minor) in the key (tonic, minorKey). Major key: I, iii, vi tonic;
/// IV, ii subdominant; V dominant. Minor key: i, III tonic; iv, IV, VI subdominant; V, v, VII
/// dominant. Anything else is Other.
HarmonicFunction harmonicFunction(int root, bool minor, int tonic, bool minorKey);

/// Frequencies of harmonicPatterns() in the function sequence of `chords`: consecutive repeats
/// are merged and Other chords skipped first; each n-step frequency is its count over the
/// number of n-step windows. NaN when the sequence has fewer than n functions.
std::vector<double> patternFrequencies(std::span<const ChordEvent> chords);

} // namespace tagscope::features
