// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/engine/chunk_plan.h"

#include <algorithm>

namespace tagscope::model {

std::vector<ChunkSpan> planChunks(int64_t totalSamples, int64_t chunkSamples, int64_t hopSamples, bool padLast,
                                  bool alignLastToEnd) {
    std::vector<ChunkSpan> chunks;
    if (totalSamples <= 0 || chunkSamples <= 0) return chunks;
    const int64_t hop = hopSamples > 0 ? hopSamples : chunkSamples;
    if (totalSamples <= chunkSamples) return {{0, totalSamples}};
    int64_t start = 0;
    for (; start + chunkSamples <= totalSamples; start += hop) chunks.push_back({start, chunkSamples});
    // NOTE: `start` is now the first hop position whose chunk would run past the end. With
    // overlap (hop < chunk) the samples after the last full chunk may already be partly covered;
    // a padded chunk is added only when some samples are not covered at all.
    const int64_t covered = chunks.back().start + chunkSamples;
    if (padLast && covered < totalSamples) {
        // NOTE: only for the non-overlapping grid; an explicit hop keeps its regular grid.
        if (alignLastToEnd && hop >= chunkSamples) chunks.push_back({totalSamples - chunkSamples, chunkSamples});
        else chunks.push_back({start, totalSamples - start});
    }
    return chunks;
}

} // namespace tagscope::model
