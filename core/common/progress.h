// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>

namespace tagscope {

/// A cancellation flag shared between the thread that asks for a stop (any thread) and the
/// thread doing the work (which polls `isCancelled()` between stages, blocks and batches).
class CancelToken {
public:
    void cancel() noexcept { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const noexcept { return m_cancelled.load(std::memory_order_relaxed); }
    void reset() noexcept { m_cancelled.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

/// Progress callback: fraction in [0, 1] of the current stage and the stage's name
/// ("decode", "resample", "mel", "model", "explain" ...). Called on the working thread.
using ProgressFn = std::function<void(double fraction, std::string_view stage)>;

/// Wraps a ProgressFn and forwards at most ~20 calls per second (plus the first and the last),
/// so queued GUI signals never flood an event loop.
class ThrottledProgress {
public:
    explicit ThrottledProgress(ProgressFn fn, std::chrono::milliseconds interval = std::chrono::milliseconds(50))
        : m_fn(std::move(fn)), m_interval(interval) {}

    void operator()(double fraction, std::string_view stage) {
        if (!m_fn) return;
        const auto now = std::chrono::steady_clock::now();
        if (fraction >= 1.0 || fraction <= 0.0 || now - m_last >= m_interval) {
            m_last = now;
            m_fn(fraction, stage);
        }
    }

private:
    ProgressFn m_fn;
    std::chrono::milliseconds m_interval;
    std::chrono::steady_clock::time_point m_last{};
};

/// True when `token` is set and cancelled. Null tokens never cancel.
inline bool isCancelled(const CancelToken* token) noexcept { return token && token->isCancelled(); }

} // namespace tagscope
