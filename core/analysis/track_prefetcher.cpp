// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/track_prefetcher.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/analysis/audio_hash_analyzer.h"

namespace tagscope::analysis {

namespace {

/// What the decode thread tells a streaming consumer, in order: per track an optional Start,
/// Blocks, then exactly one End.
struct StreamEvent {
    enum class Kind { Start, Block, End } kind = Kind::Block;
    size_t index = 0;
    StreamInfo info;
    std::vector<float> samples;
    Result<void> outcome = {};
    std::string audioHash;
    double decodeSeconds = 0.0;
};

} // namespace

struct TrackPrefetcher::State {
    std::vector<std::filesystem::path> files;
    PrefetchOptions options;
    const CancelToken* cancel = nullptr;
    CancelToken stop;                     ///< set by the destructor
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<PrefetchedTrack> ready;
    std::deque<StreamEvent> events;       ///< streaming mode
    size_t queuedSamples = 0;
    size_t currentIndex = 0;              ///< track being decoded (streaming)
    bool done = false;
    std::thread thread;

    bool stopping() const { return stop.isCancelled() || isCancelled(cancel); }

    /// Streaming mode's producer end: hands blocks at the consumer's rate to the queue.
    class Forwarder final : public AudioAnalyzer {
    public:
        explicit Forwarder(State& s) : m_s(s) {}
        std::string_view name() const override { return "decode"; }
        int wantedSampleRate() const override { return m_s.options.sampleRate; }
        Result<void> start(const StreamInfo& info) override {
            StreamEvent e;
            e.kind = StreamEvent::Kind::Start;
            e.index = m_s.currentIndex;
            e.info = info;
            m_s.push(std::move(e), 0);
            return {};
        }
        Result<void> process(std::span<const float> block, const CancelToken*) override {
            if (block.empty()) return {};
            StreamEvent e;
            e.index = m_s.currentIndex;
            e.samples.assign(block.begin(), block.end());
            if (!m_s.push(std::move(e), block.size())) return fail(Error::cancelled());
            return {};
        }
        Result<void> finish(const CancelToken*) override { return {}; }

    private:
        State& m_s;
    };

    /// Queues a streaming event, waiting while the queue holds more than queueSamples samples.
    bool push(StreamEvent e, size_t samples) {
        std::unique_lock lock(mutex);
        while (samples > 0 && queuedSamples > 0 && queuedSamples + samples > options.queueSamples && !stopping())
            changed.wait_for(lock, std::chrono::milliseconds(50));
        if (stopping()) return false;
        queuedSamples += samples;
        events.push_back(std::move(e));
        changed.notify_all();
        return true;
    }

    void runStreaming() {
        AudioHashAnalyzer hasher;
        Forwarder forwarder(*this);
        for (size_t i = 0; i < files.size() && !stopping(); ++i) {
            currentIndex = i;
            const auto t0 = std::chrono::steady_clock::now();
            std::vector<AudioAnalyzer*> analyzers;
            if (options.hash) analyzers.push_back(&hasher);
            analyzers.push_back(&forwarder);
            AnalyzerRunOptions run;
            run.resampleQuality = options.quality;
            StreamEvent end;
            end.kind = StreamEvent::Kind::End;
            end.index = i;
            try {
                end.outcome = runAnalyzers(files[i], analyzers, run, {}, &stop);
                if (end.outcome && options.hash) end.audioHash = hasher.hash();
            } catch (const std::exception& e) {
                end.outcome = fail(Error::Kind::Internal, files[i], std::string("decode failed: ") + e.what());
            }
            end.decodeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (!push(std::move(end), 0)) break;
        }
    }

    void runWhole() {
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
    }

    void run() noexcept {
        try {
            if (options.stream) runStreaming();
            else runWhole();
        } catch (...) {
            // NOTE: nothing may cross the thread; a failure to queue ends the list early.
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
    if (m_state->options.queueSamples == 0) m_state->options.queueSamples = 1;
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

std::optional<PrefetchedTrack> TrackPrefetcher::nextInto(AudioAnalyzer& consumer, const CancelToken* cancel) {
    State& s = *m_state;
    bool started = false;
    Result<void> consumed = {};
    auto takeEvent = [&]() -> std::optional<StreamEvent> {
        std::unique_lock lock(s.mutex);
        while (s.events.empty() && !s.done) {
            if (isCancelled(s.cancel) || isCancelled(cancel)) return std::nullopt;
            s.changed.wait_for(lock, std::chrono::milliseconds(50));
        }
        if (s.events.empty() || isCancelled(s.cancel) || isCancelled(cancel)) return std::nullopt;
        StreamEvent e = std::move(s.events.front());
        s.events.pop_front();
        s.queuedSamples -= e.samples.size();
        s.changed.notify_all();
        return e;
    };
    auto withFile = [&](size_t index, const Error& e) {
        const auto& file = s.files[index];
        if (e.kind == Error::Kind::Cancelled || e.message.find(file.filename().string()) != std::string::npos) return e;
        return Error::make(e.kind, file, std::string(consumer.name()) + ": " + e.message);
    };
    for (;;) {
        auto e = takeEvent();
        if (!e) {
            if (started) consumer.abort();
            return std::nullopt;
        }
        switch (e->kind) {
        case StreamEvent::Kind::Start:
            consumed = consumer.start(e->info);
            started = bool(consumed);
            break;
        case StreamEvent::Kind::Block:
            if (!started) break;
            consumed = consumer.process(e->samples, cancel);
            if (!consumed) {
                consumer.abort();
                started = false;
            }
            break;
        case StreamEvent::Kind::End: {
            PrefetchedTrack t;
            t.index = e->index;
            t.file = s.files[e->index];
            t.decodeSeconds = e->decodeSeconds;
            t.audioHash = e->audioHash;
            if (!e->outcome) {
                if (started) consumer.abort();
                t.audio = fail(e->outcome.error());
            } else if (!consumed) {
                t.audio = fail(withFile(e->index, consumed.error()));
            } else if (started) {
                if (auto ok = consumer.finish(cancel); !ok) t.audio = fail(withFile(e->index, ok.error()));
            }
            return t;
        }
        }
    }
}

} // namespace tagscope::analysis
