// SPDX-License-Identifier: GPL-3.0-or-later
// Process-wide heap settings for tensor workloads (glibc malloc). No Qt, no torch.
#pragma once

#include <cstddef>

namespace tagscope {

/// The mmap threshold tuneHeapForTensors() sets (glibc refuses more: HEAP_MAX_SIZE / 2 on 64-bit
/// systems): blocks below it stay on the heap. Batch sizing keeps activations under it.
inline constexpr size_t kHeapMmapThresholdBytes = size_t(32) << 20;

/// What tuneHeapForTensors() did (for logs and tests).
struct HeapTuning {
    bool applied = false;          ///< false where the C library is not glibc
    size_t mmapThresholdBytes = 0; ///< blocks at least this large are mmap()ed
    size_t trimThresholdBytes = 0; ///< free memory at the heap's top kept up to this much
    bool mmapDisabled = false;     ///< tuneHeapForBatchWork(): no block is mmap()ed
};

/// Keeps tensor-sized blocks (up to 32 MiB, glibc's ceiling) on the heap instead of mmap().
///
/// Why: LibTorch's CPU allocator is plain malloc. glibc serves blocks above its *dynamic* mmap
/// threshold with a fresh mmap() and returns them with munmap() on free, so every forward pass
/// page-faults (and the kernel zeroes) each activation again. The threshold only rises after a
/// large block has been freed, so speed depended on what ran first: occlusion of a 4-minute track
/// took 3.3 s or 17.6 s on one thread with the same code, batch size 8, depending on the batch
/// size the analysis before it had used. Fixed thresholds remove both the cost and the
/// dependence on history (measured in the closing note of issue 13).
///
/// Idempotent and thread-safe; call before heavy work (the model layer calls it when it
/// prepares a model). Environment MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ or
/// GLIBC_TUNABLES set by the user win: then nothing is changed.
HeapTuning tuneHeapForTensors();

/// For batch jobs that run big activations for a long time (the teacher cache and training):
/// no block is mmap()ed at all and the heap's free top is kept (up to 1 GiB), so even blocks
/// above the 32 MiB ceiling (an FCN teacher's first layer: 44 MB per 29 s window) are reused
/// instead of mapped, page-faulted and zeroed again on every pass. Teacher caching ran 12x
/// realtime with tuneHeapForTensors() alone (system time 40 % of the run) and 35x with this.
/// Not for the GUI or tagging: memory freed in the middle of the heap is not given back.
/// Idempotent; the user's MALLOC_* / GLIBC_TUNABLES heap settings win (then nothing is changed).
HeapTuning tuneHeapForBatchWork();

} // namespace tagscope
