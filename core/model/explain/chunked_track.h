// SPDX-License-Identifier: GPL-3.0-or-later
// A finished analysis' chunks with their dB mels kept in memory, so explanations can re-run the
// model on the same inputs with parts masked. Torch-facing; include only from core/model.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/audio/audio_decoder.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/model/engine/chunk_plan.h"
#include "core/model/engine/tagger_impl.h"

namespace tagscope::model {

/// [start, end) in seconds.
using Interval = std::pair<double, double>;

/// The chunks of an analysis (rebuilt from its taggram, so they match whatever chunking options
/// the analysis used), their dB mels, every chunk's probabilities of every tag, and the map of
/// each chunk's mel frames onto a grid of segments of `segmentSeconds`.
/// Masking sets mel frames to the chunk's lowest dB value (analysis::kMaskingValue).
class ChunkedTrack {
public:
    /// Computes every chunk's mel. The unmasked probabilities are the analysis' taggram.
    /// NOTE: reusing the taggram saves one pass over the whole track; it was computed by the same
    /// net on the same chunk mels (batch size aside, which changes results by < 1e-6).
    static Result<ChunkedTrack> build(Tagger::Impl& impl, const analysis::TrackAnalysis& analysis,
                                      const audio::AudioBuffer& audio, double segmentSeconds, const CancelToken* cancel);

    const std::vector<ChunkSpan>& chunks() const { return m_chunks; }
    const std::vector<dsp::Spectrogram>& mels() const { return m_mels; }
    double startSeconds(size_t chunk) const { return double(m_chunks[chunk].start) / m_sampleRate; }
    double validEndSeconds(size_t chunk) const;
    /// Lowest dB value of a chunk's mel: what masked frames are set to.
    float floorDb(size_t chunk) const { return m_floors[chunk]; }
    size_t tagCount() const { return m_tagCount; }
    double durationSeconds() const { return m_duration; }
    double segmentSeconds() const { return m_segmentSeconds; }
    size_t segmentCount() const { return m_segmentCount; }
    /// Segment of each mel frame of `chunk` (-1: the frame's centre lies outside the track).
    const std::vector<int>& frameSegments(size_t chunk) const { return m_frameSegments[chunk]; }
    /// Unmasked probability of `tag` in `chunk`.
    float baseline(size_t chunk, size_t tag) const { return m_baseline[chunk * m_tagCount + tag]; }
    /// Mean over chunks of the unmasked probabilities, per tag.
    std::vector<float> baselineTrack() const;
    /// The time span of segment `j`, clipped to the track.
    Interval segmentInterval(size_t j) const;

    /// `chunk`'s mel with every frame whose segment is flagged in `segments` (one flag per
    /// segment) set to the floor; nullopt when no frame of the chunk is flagged.
    std::optional<dsp::Spectrogram> maskSegments(size_t chunk, const std::vector<uint8_t>& segments) const;
    /// True when every frame of `chunk` that lies in the track is flagged in `segments`.
    bool fullyMasked(size_t chunk, const std::vector<uint8_t>& segments) const;
    /// Chunk forward passes maskedTrackProbabilities() has run on this track (memo misses).
    size_t maskedRuns() const { return m_maskedRuns; }

    /// Track probabilities (mean over chunks, per tag) of several segment masks at once: result[i]
    /// is for masks[i] (one flag per segment). Only chunks touched by a mask are run, each
    /// distinct masking of a chunk once per track (memoised); batches across masks.
    Result<std::vector<std::vector<float>>> maskedTrackProbabilities(Tagger::Impl& impl,
                                                                     const std::vector<std::vector<uint8_t>>& masks,
                                                                     const CancelToken* cancel);

private:
    ChunkedTrack() = default;

    std::vector<ChunkSpan> m_chunks;
    std::vector<dsp::Spectrogram> m_mels;
    std::vector<float> m_floors;
    std::vector<float> m_baseline;               ///< [chunk * tagCount + tag]
    std::vector<std::vector<int>> m_frameSegments;
    /// Bits of `segments` over the chunk's own segments (bit b: heldSegments[b] masked);
    /// nullopt when the chunk holds more segments than a key has bits.
    std::optional<uint64_t> patternOf(size_t chunk, const std::vector<uint8_t>& segments) const;

    std::vector<std::vector<int>> m_heldSegments; ///< per chunk: its segments, ascending
    /// Per chunk: probabilities of every tag for each masking pattern run so far.
    std::vector<std::unordered_map<uint64_t, std::vector<float>>> m_memo;
    size_t m_tagCount = 0;
    size_t m_segmentCount = 0;
    double m_segmentSeconds = 1.0;
    double m_duration = 0.0;
    double m_sampleRate = 1.0;
    double m_frameSeconds = 0.0;
    size_t m_maskedRuns = 0;
    static constexpr uint64_t kNoPattern = ~uint64_t(0);
};

/// Runs masked mels through the net in batches; each result row (all tags) goes to `sink` with
/// the job's chunk and target. Call add() for every job, then flush().
class MaskedBatchRunner {
public:
    using Sink = std::function<void(size_t target, size_t chunk, const float* probabilities)>;
    /// `batch` 0: as many chunks per pass as an analysis runs (chunksPerBatch). NOTE: larger
    /// batches are slower here, not faster: at 32 a batch's activations (61 MB for the bundled
    /// model) exceed what malloc keeps on its heap, and occlusion of a 4-minute track took 18.6 s
    /// against 2.5 s at 8.
    MaskedBatchRunner(Tagger::Impl& impl, Sink sink, size_t batch = 0);

    /// Queues one masked mel; runs the batch when it is full.
    Result<void> add(size_t target, size_t chunk, dsp::Spectrogram mel, const CancelToken* cancel);
    /// Runs what is queued.
    Result<void> flush(const CancelToken* cancel);

private:
    Tagger::Impl& m_impl;
    Sink m_sink;
    size_t m_batch;
    std::vector<dsp::Spectrogram> m_mels;
    std::vector<std::pair<size_t, size_t>> m_jobs;
};

} // namespace tagscope::model
