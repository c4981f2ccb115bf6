// SPDX-License-Identifier: GPL-3.0-or-later
// How a track is cut into model chunks. Pure rules, torch-free, tested directly.
#pragma once

#include <cstdint>
#include <vector>

namespace tagscope::model {

/// One chunk of a track: samples [start, start + chunkSamples), of which the first `valid`
/// are real audio and the rest zero padding.
struct ChunkSpan {
    int64_t start = 0;
    int64_t valid = 0;
};

/// Chunks of `chunkSamples` every `hopSamples` (<= 0 means chunkSamples, non-overlapping) over
/// `totalSamples`. Full chunks come first; then, when the track is not covered exactly:
///  - `padLast` true: one more chunk starting at the next hop position, zero-padded;
///  - `padLast` false: the remainder is dropped.
///  - `padLast` and `alignLastToEnd` true, non-overlapping grid (hop >= chunk): instead of
///    padding, one more full chunk that ends exactly at the end of the track (overlapping the
///    previous one), so no chunk is mostly silence and no audio is dropped.
/// A track shorter than one chunk always gives one padded chunk (never nothing); an empty
/// track gives no chunks.
std::vector<ChunkSpan> planChunks(int64_t totalSamples, int64_t chunkSamples, int64_t hopSamples, bool padLast,
                                  bool alignLastToEnd = false);

} // namespace tagscope::model
