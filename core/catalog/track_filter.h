// SPDX-License-Identifier: GPL-3.0-or-later
// Which catalogued tracks a search selects — the one rule shared by `tagscope-cli find` and the
// GUI's Library window.
#pragma once

#include <string>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/catalog/catalog.h"

namespace tagscope::catalog {

/// A search over the library; empty fields do not filter.
struct TrackFilter {
    std::string tag;        ///< fine tag name ("piano", or "piano (MTAT)" for one vocabulary), case-insensitive
    std::string group;      ///< coarse group name ("keys"), case-insensitive
    float minScore = 0.5f;  ///< the tag's / group's score must be at least this
    std::string text;       ///< substring of the path (case-insensitive)
};

/// True when `entry` passes every non-empty criterion of `filter`.
bool matches(const LibraryEntry& entry, const TrackFilter& filter);

/// The score that ranks `entry` for `filter`: the best matching tag's or group's score (the
/// highest tag score when neither is set).
float filterScore(const LibraryEntry& entry, const TrackFilter& filter);

/// The `n` best tags of a track (descending score).
std::vector<analysis::TagScore> topTags(const CatalogTrack& track, size_t n);

/// The entries that match, best first (ties by path).
std::vector<const LibraryEntry*> search(const std::vector<LibraryEntry>& library, const TrackFilter& filter);

} // namespace tagscope::catalog
