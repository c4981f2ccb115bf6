// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/engine/allocation_probe.h"

#include <atomic>
#include <mutex>

#include <c10/core/CPUAllocator.h>

#include "core/model/torch_shim.h"

namespace tagscope::model {
namespace {

/// Forwards every request to LibTorch's own CPU allocator and remembers the largest size.
class ObservingAllocator final : public c10::Allocator {
public:
    explicit ObservingAllocator(c10::Allocator* base) : m_base(base) {}
    c10::DataPtr allocate(size_t n) const override {
        size_t seen = m_largest.load(std::memory_order_relaxed);
        while (n > seen && !m_largest.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
        }
        return m_base->allocate(n);
    }
    c10::DeleterFnPtr raw_deleter() const override { return m_base->raw_deleter(); }
    size_t largest() const { return m_largest.load(std::memory_order_relaxed); }
    void reset() { m_largest.store(0, std::memory_order_relaxed); }

private:
    c10::Allocator* m_base;
    mutable std::atomic<size_t> m_largest{0};
};

ObservingAllocator& observer() {
    // NOTE: installed once and never removed (tensors allocated through it may outlive anything);
    // memory it hands out is the base allocator's, freed by the base allocator's deleter.
    static ObservingAllocator* instance = [] {
        auto* a = new ObservingAllocator(c10::GetCPUAllocator());
        c10::SetAllocator(c10::DeviceType::CPU, a);
        return a;
    }();
    return *instance;
}

} // namespace

size_t largestAllocation() { return observer().largest(); }
void resetLargestAllocation() { observer().reset(); }

} // namespace tagscope::model
