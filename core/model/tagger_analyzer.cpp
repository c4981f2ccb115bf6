// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/tagger_analyzer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/model/engine/chunk_runner.h"

namespace tagscope::model {

/// Streaming state of one track: samples [base, received) and the regular chunks planned so far.
struct TaggerAnalyzer::Stream {
    const Tagger::Impl& impl;
    AnalysisOptions options;
    analysis::TrackAnalysis result;
    ChunkRunner runner;
    int64_t chunk = 0;
    int64_t hop = 0;
    std::vector<float> buffer;
    int64_t base = 0;
    int64_t received = 0;
    std::vector<ChunkSpan> plan; ///< regular (full) chunks known so far, in order
    size_t ran = 0;              ///< chunks of `plan` already through the model
    TrackChunkPass track;        ///< the track's tags from longer chunks (cards with track chunks)
    size_t trackRan = 0;         ///< track chunks already through the model

    Stream(const Tagger::Impl& i, const AnalysisOptions& o, int64_t hopSamples)
        : impl(i), options(o), result(describeTrack(i.card, 0.0)), runner(impl, options, result),
          chunk(i.card.chunkSamples), hop(hopSamples), track(i) {
        result.hopSeconds = double(hop) / impl.card.sampleRate;
    }

    std::span<const float> samplesOf(const ChunkSpan& c) const {
        return std::span<const float>(buffer).subspan(size_t(c.start - base), size_t(c.valid));
    }

    Result<void> runReady(std::span<const ChunkSpan> chunks, size_t total, const CancelToken* cancel,
                          const Analyzer::ChunkCallback& onChunk) {
        auto of = [this](const ChunkSpan& c) { return samplesOf(c); };
        while (ran < chunks.size()) {
            const size_t last = runner.batchEnd(ran, total);
            if (last > chunks.size()) break;
            if (auto ok = runner.runBatch(chunks, ran, last, of, cancel, onChunk); !ok) return fail(ok.error());
            ran = last;
        }
        return {};
    }

    /// Runs the regular track chunks the samples received so far fill, from `trackRan` on.
    Result<void> runTrackChunks(const std::vector<ChunkSpan>& chunks, size_t count, const CancelToken* cancel) {
        for (; trackRan < count; ++trackRan)
            if (auto ok = track.run(samplesOf(chunks[trackRan]), cancel); !ok) return fail(ok.error());
        return {};
    }

    /// Drops samples no chunk still needs: those before the next chunk to run (of either pass)
    /// and before the last chunk length (the end-aligned last chunks read it).
    void trim() {
        const int64_t next = std::min(int64_t(ran) * hop, track.active() ? int64_t(trackRan) * track.chunkSamples() : received);
        const int64_t tail = std::max(chunk, track.chunkSamples());
        const int64_t keepFrom = std::clamp<int64_t>(std::min(next, received - tail), base, received);
        const auto dead = size_t(keepFrom - base);
        if (dead > 0 && dead * 2 >= buffer.size()) {
            buffer.erase(buffer.begin(), buffer.begin() + std::ptrdiff_t(dead));
            base = keepFrom;
        }
    }
};

TaggerAnalyzer::TaggerAnalyzer(Analyzer& analyzer, AnalysisOptions options, Analyzer::ChunkCallback onChunk)
    : m_analyzer(analyzer), m_options(options), m_onChunk(std::move(onChunk)) {}

TaggerAnalyzer::~TaggerAnalyzer() = default;

int TaggerAnalyzer::wantedSampleRate() const { return m_analyzer.tagger().card().sampleRate; }

Result<void> TaggerAnalyzer::start(const analysis::StreamInfo& info) {
    m_info = info;
    m_result.reset();
    m_audio = {};
    m_stream.reset();
    m_peakHeld = 0;
    const auto& card = m_analyzer.tagger().card();
    if (info.sampleRate != card.sampleRate)
        return fail(Error::Kind::InvalidInput, info.file, "audio at " + std::to_string(info.sampleRate) +
                    " Hz given to a model that needs " + std::to_string(card.sampleRate) + " Hz");
    if (!streaming()) {
        m_audio.sampleRate = info.sampleRate;
        if (info.durationSeconds > 0.0)
            m_audio.samples.reserve(static_cast<size_t>(info.durationSeconds * info.sampleRate) + 1024);
        return {};
    }
    if (m_options.hopSeconds < 0.0 || !std::isfinite(m_options.hopSeconds))
        return fail(Error::Kind::InvalidInput, {}, "the chunk hop must be 0 (no overlap) or a positive number of seconds");
    const int64_t hop = m_options.hopSeconds > 0.0
                            ? std::max<int64_t>(1, std::llround(m_options.hopSeconds * card.sampleRate))
                            : card.chunkSamples;
    const auto& impl = m_analyzer.tagger().impl();
    impl.applyThreads();
    m_stream = std::make_unique<Stream>(impl, m_options, hop);
    return {};
}

Result<void> TaggerAnalyzer::process(std::span<const float> block, const CancelToken* cancel) try {
    if (!m_stream) {
        m_audio.samples.insert(m_audio.samples.end(), block.begin(), block.end());
        return {};
    }
    Stream& s = *m_stream;
    s.buffer.insert(s.buffer.end(), block.begin(), block.end());
    s.received += int64_t(block.size());
    m_peakHeld = std::max(m_peakHeld, s.buffer.size());
    for (int64_t start = int64_t(s.plan.size()) * s.hop; start + s.chunk <= s.received; start += s.hop)
        s.plan.push_back({start, s.chunk});
    if (auto ok = s.runReady(s.plan, std::numeric_limits<size_t>::max(), cancel, m_onChunk); !ok)
        return fail(ok.error());
    if (const auto full = size_t(s.track.fullChunksWithin(s.received)); full > s.trackRan) {
        std::vector<ChunkSpan> regular;
        for (size_t k = 0; k < full; ++k) regular.push_back({int64_t(k) * s.track.chunkSamples(), s.track.chunkSamples()});
        if (auto ok = s.runTrackChunks(regular, full, cancel); !ok) return fail(ok.error());
    }
    s.trim();
    return {};
} catch (const std::exception& e) {
    return fail(Error::Kind::Internal, m_info.file, std::string("model inference failed: ") + e.what());
}

Result<void> TaggerAnalyzer::finish(const CancelToken* cancel) try {
    if (!m_stream) {
        auto result = m_analyzer.analyzeAudio(m_audio, m_options, {}, cancel, m_onChunk);
        if (!result) return fail(result.error());
        result->file = m_info.file;
        m_result = std::move(*result);
        return {};
    }
    Stream& s = *m_stream;
    if (s.received == 0) return fail(Error::Kind::InvalidInput, {}, "the audio is empty (no samples to analyse)");
    const auto all = planChunks(s.received, s.chunk, s.hop, m_options.padLastChunk, m_options.alignLastChunkToEnd);
    // NOTE: the chunks already run are the regular ones planChunks also starts with.
    if (s.ran > all.size()) return fail(Error::Kind::Internal, m_info.file, "streamed chunks do not match the track's plan");
    if (auto ok = s.runReady(all, all.size(), cancel, m_onChunk); !ok) return fail(ok.error());
    s.runner.finish();
    s.result.durationSeconds = double(s.received) / s.impl.card.sampleRate;
    computeTrackScores(s.result);
    // NOTE: likewise, the track chunks already run are the regular ones the track's plan starts with.
    const auto trackChunks = s.track.plan(s.received);
    if (s.trackRan > trackChunks.size())
        return fail(Error::Kind::Internal, m_info.file, "streamed track chunks do not match the track's plan");
    if (auto ok = s.runTrackChunks(trackChunks, trackChunks.size(), cancel); !ok) return fail(ok.error());
    s.track.finish(s.result);
    addHierarchy(s.impl, s.result);
    s.result.file = m_info.file;
    m_result = std::move(s.result);
    m_stream.reset();
    return {};
} catch (const std::exception& e) {
    return fail(Error::Kind::Internal, m_info.file, std::string("model inference failed: ") + e.what());
}

void TaggerAnalyzer::abort() noexcept {
    m_result.reset();
    m_stream.reset();
    m_audio.samples.clear();
    m_audio.samples.shrink_to_fit();
}

} // namespace tagscope::model
