// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/track_prefetcher.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/analysis/audio_analyzer.h"
#include "core/analysis/audio_hash_analyzer.h"

namespace tagscope::analysis {

struct TrackPrefetcher::State {
    std::vector<std::filesystem::path> files;
    PrefetchOptions options;
    const CancelToken* cancel = nullptr;
    CancelToken stop;                     ///< set by the destructor
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<PrefetchedTrack> ready;
    bool done = false;
    std::thread thread;

    bool stopping() const { return stop.isCancelled() || isCancelled(cancel); }

    void run() noexcept {
        AudioHashAnalyzer hasher;
        AudioCollector collector(options.sampleRate);
        for (size_t i = 0; i < files.size() && !stopping(); ++i) {
            PrefetchedTrack t;
            t.index = i;
            t.file = files[i];
            const auto t0 = std::chrono::steady_clock::now();
            std::vector<AudioAnalyzer*> analyzers;
            if (options.hash) analyzers.push_back(&hasher);
            analyzers.push_back(&collector);
            AnalyzerRunOptions run;
            run.resampleQuality = options.quality;
            try {
                auto ok = runAnalyzers(files[i], analyzers, run, {}, &stop);
                if (ok) {
                    t.audio = collector.take();
                    if (options.hash) t.audioHash = hasher.hash();
                } else {
                    t.audio = fail(ok.error());
                }
            } catch (const std::exception& e) {
                // NOTE: nothing may throw across the thread; bad_alloc on a huge file lands here.
                t.audio = fail(Error::Kind::Internal, files[i], std::string("decode failed: ") + e.what());
            }
            t.decodeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::unique_lock lock(mutex);
            while (ready.size() >= options.depth && !stopping()) changed.wait_for(lock, std::chrono::milliseconds(50));
            if (stopping()) break;
            ready.push_back(std::move(t));
            changed.notify_all();
        }
        std::lock_guard lock(mutex);
        done = true;
        changed.notify_all();
    }
};

TrackPrefetcher::TrackPrefetcher(std::vector<std::filesystem::path> files, PrefetchOptions options, const CancelToken* cancel)
    : m_state(std::make_unique<State>()) {
    m_state->files = std::move(files);
    m_state->options = options;
    if (m_state->options.depth == 0) m_state->options.depth = 1;
    m_state->cancel = cancel;
    m_state->thread = std::thread([s = m_state.get()] { s->run(); });
}

TrackPrefetcher::~TrackPrefetcher() {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stop.cancel();
        m_state->changed.notify_all();
    }
    if (m_state->thread.joinable()) m_state->thread.join();
}

std::optional<PrefetchedTrack> TrackPrefetcher::next() {
    std::unique_lock lock(m_state->mutex);
    // NOTE: the wait wakes up periodically to notice an external cancel token (a SIGINT handler
    // cannot notify a condition variable).
    while (m_state->ready.empty() && !m_state->done) {
        if (isCancelled(m_state->cancel)) return std::nullopt;
        m_state->changed.wait_for(lock, std::chrono::milliseconds(50));
    }
    if (m_state->ready.empty() || isCancelled(m_state->cancel)) return std::nullopt;
    PrefetchedTrack t = std::move(m_state->ready.front());
    m_state->ready.pop_front();
    m_state->changed.notify_all();
    return t;
}

} // namespace tagscope::analysis
