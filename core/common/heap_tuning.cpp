// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/heap_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tagscope {
namespace {

/// Free memory at the heap's top beyond this goes back to the system. Above the largest
/// activation of a batch, so a forward pass does not give back what the next one needs.
constexpr size_t kTrimThreshold = size_t(128) << 20;
/// tuneHeapForBatchWork(): free memory kept at the heap's top (a batch job reuses it soon).
constexpr size_t kBatchTrimThreshold = size_t(1) << 30;

bool userChoseHeapSettings() {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") || std::getenv("MALLOC_MMAP_MAX_"))
        return true;
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    return tunables && (std::strstr(tunables, "mmap_threshold") || std::strstr(tunables, "trim_threshold") ||
                        std::strstr(tunables, "mmap_max"));
}

HeapTuning apply() {
    HeapTuning t;
#if defined(__GLIBC__)
    if (userChoseHeapSettings()) return t;
    // mallopt returns 1 on success. Setting either also fixes the other (no dynamic adjustment).
    if (mallopt(M_MMAP_THRESHOLD, int(kHeapMmapThresholdBytes)) == 1 && mallopt(M_TRIM_THRESHOLD, int(kTrimThreshold)) == 1) {
        t.applied = true;
        t.mmapThresholdBytes = kHeapMmapThresholdBytes;
        t.trimThresholdBytes = kTrimThreshold;
    }
#endif
    return t;
}

HeapTuning applyBatch() {
    HeapTuning t;
#if defined(__GLIBC__)
    if (userChoseHeapSettings()) return t;
    // NOTE: the threshold is still set (fixed, not dynamic) so mallinfo-based reports stay
    // comparable; with M_MMAP_MAX 0 it no longer sends anything to mmap().
    if (mallopt(M_MMAP_THRESHOLD, int(kHeapMmapThresholdBytes)) == 1 &&
        mallopt(M_TRIM_THRESHOLD, int(kBatchTrimThreshold)) == 1 && mallopt(M_MMAP_MAX, 0) == 1) {
        t.applied = true;
        t.mmapDisabled = true;
        t.mmapThresholdBytes = kHeapMmapThresholdBytes;
        t.trimThresholdBytes = kBatchTrimThreshold;
    }
#endif
    return t;
}

} // namespace

HeapTuning tuneHeapForBatchWork() {
    static std::once_flag once;
    static HeapTuning result;
    std::call_once(once, [] { result = applyBatch(); });
    return result;
}

HeapTuning tuneHeapForTensors() {
    static std::once_flag once;
    static HeapTuning result;
    std::call_once(once, [] { result = apply(); });
    return result;
}

} // namespace tagscope
