// SPDX-License-Identifier: GPL-3.0-or-later
// Observes the sizes of LibTorch's CPU allocations (a thin wrapper around its CPU allocator), so
// the chunk runner can size batches whose activations stay on the heap. Torch-facing; include
// only from core/model.
#pragma once

#include <cstddef>

namespace tagscope::model {

/// Largest CPU tensor allocation since the last resetLargestAllocation() (bytes), process-wide.
/// NOTE: concurrent forward passes (two models analysing at once) see each other's allocations;
/// the figure only sizes batches, it never changes a result.
size_t largestAllocation();
/// Starts a new observation (installs the observing allocator on first use).
void resetLargestAllocation();

} // namespace tagscope::model
