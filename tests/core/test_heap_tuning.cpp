// SPDX-License-Identifier: GPL-3.0-or-later
// The heap settings for tensor workloads: tensor-sized blocks stay on the heap, larger ones are
// still mmap()ed, and the call is idempotent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "core/common/heap_tuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tagscope {
namespace {

#if defined(__GLIBC__)
/// Blocks glibc currently holds as separate mmap()ed regions.
size_t mmappedBlocks() { return mallinfo2().hblks; }

/// Whether a fresh block of `bytes` is served by mmap() (it adds an mmapped region).
bool allocationIsMmapped(size_t bytes) {
    const size_t before = mmappedBlocks();
    void* p = std::malloc(bytes);
    if (!p) return false;
    std::memset(p, 1, 64);
    const bool mapped = mmappedBlocks() > before;
    std::free(p);
    return mapped;
}
#endif

TEST(HeapTuning, KeepsTensorSizedBlocksOnTheHeapAndIsIdempotent) {
    const HeapTuning first = tuneHeapForTensors();
    if (!first.applied)
        GTEST_SKIP() << "the C library's malloc is not glibc's (or is replaced, e.g. by a sanitizer): nothing to tune";
#if defined(__GLIBC__)
    EXPECT_EQ(first.mmapThresholdBytes, size_t(32) << 20);
    EXPECT_GE(first.trimThresholdBytes, first.mmapThresholdBytes);
    // A batch of activations (16 MB: 8 chunks of the bundled model's first layer) comes from
    // the heap, again and again; glibc's default (128 KiB, rising only after a large free)
    // would map it afresh each time.
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(allocationIsMmapped(size_t(16) << 20)) << "pass " << i;
    // Above glibc's ceiling blocks are still mapped (and given back on free).
    EXPECT_TRUE(allocationIsMmapped(size_t(48) << 20));
#endif
    const HeapTuning again = tuneHeapForTensors();
    EXPECT_EQ(again.applied, first.applied);
    EXPECT_EQ(again.mmapThresholdBytes, first.mmapThresholdBytes);
}

// Batch work maps nothing, not even blocks above glibc's 32 MiB ceiling. Runs in a child
// process: the settings are process-wide and the test above needs the default ones.
TEST(HeapTuning, BatchWorkKeepsEvenLargeBlocksOnTheHeap) {
    if (!tuneHeapForTensors().applied)
        GTEST_SKIP() << "the C library's malloc is not glibc's (or is replaced, e.g. by a sanitizer): nothing to tune";
#if defined(__GLIBC__)
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    auto child = [] {
        const bool mappedBefore = allocationIsMmapped(size_t(48) << 20);
        const HeapTuning t = tuneHeapForBatchWork();
        bool mappedAfter = false;
        for (int i = 0; i < 3; ++i) mappedAfter = mappedAfter || allocationIsMmapped(size_t(48) << 20);
        const HeapTuning again = tuneHeapForBatchWork();
        const bool ok = mappedBefore && t.applied && t.mmapDisabled && !mappedAfter && again.mmapDisabled &&
                        t.trimThresholdBytes >= (size_t(1) << 30);
        std::exit(ok ? 0 : 1);
    };
    EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
#endif
}

} // namespace
} // namespace tagscope
