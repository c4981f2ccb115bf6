// SPDX-License-Identifier: GPL-3.0-or-later
// The model stage of an analysis: chunks in batches through the net, each chunk's probabilities
// appended to the taggram (and streamed out) in chunk order. Shared by Analyzer::analyzeAudio
// (whole tracks) and TaggerAnalyzer (chunks as the decoded blocks fill them), so both run the
// very same batches. Torch-facing; include only from core/model.
#pragma once

#include <functional>
#include <optional>
#include <span>

#include "core/model/analyzer.h"
#include "core/model/engine/attention_maps.h"
#include "core/model/engine/chunk_plan.h"
#include "core/model/engine/tagger_impl.h"

namespace tagscope::model {

/// Chunks per forward pass: `requested` (AnalysisOptions::batchSize), capped at 120 s of audio
/// so activations stay bounded for long-chunk models. Analyses and explanations both use it.
size_t chunksPerBatch(const Tagger::Impl& impl, int requested);

class ChunkRunner {
public:
    /// `impl`, `options` and `result` must outlive the runner.
    ChunkRunner(const Tagger::Impl& impl, const AnalysisOptions& options, analysis::TrackAnalysis& result);

    /// The end of the batch that starts at chunk `first` of `total`: the first batch holds one
    /// chunk (the first tags arrive after one forward pass), later ones options.batchSize.
    size_t batchEnd(size_t first, size_t total) const;

    /// Gives the valid samples of a chunk (its first `valid` samples).
    using SamplesOf = std::function<std::span<const float>(const ChunkSpan&)>;

    /// Runs chunks [first, last) of `chunks` as one forward pass (last <= batchEnd(first, ..)).
    Result<void> runBatch(std::span<const ChunkSpan> chunks, size_t first, size_t last, const SamplesOf& samples,
                          const CancelToken* cancel, const Analyzer::ChunkCallback& onChunk);

    /// Puts the gathered attention (attention models) into the result.
    void finish();

private:
    const Tagger::Impl& m_impl;
    const AnalysisOptions& m_options;
    analysis::TrackAnalysis& m_result;
    bool m_attention = false;
    bool m_coarse = false;            // the net has an attention-based coarse head
    torch::Tensor m_relationSum;      // groups x fine tags, summed over chunks
    int64_t m_relationChunks = 0;
    std::optional<AttentionAccumulator> m_maps;
};

/// Track scores: the mean of the taggram's chunks (upstream's evaluation).
void computeTrackScores(analysis::TrackAnalysis& r);

/// The second pass of a card with track chunks (ModelCard::hasTrackChunks): the track's tags
/// from chunks of trackChunkSamples, one chunk a forward pass. Shared by Analyzer::analyzeAudio
/// and TaggerAnalyzer (streaming), so both run the same chunks.
class TrackChunkPass {
public:
    explicit TrackChunkPass(const Tagger::Impl& impl);

    bool active() const { return m_chunk > 0; }
    int64_t chunkSamples() const { return m_chunk; }
    /// The track chunks of a track of `totalSamples`: non-overlapping from the start, the last
    /// one ending at the track's end (never zero padding). A track shorter than a track chunk
    /// but longer than a taggram chunk is one chunk of the whole track (the MTT takes any
    /// length); a track no longer than one taggram chunk gets none (its taggram mean stands).
    std::vector<ChunkSpan> plan(int64_t totalSamples) const;
    /// Regular (full, start-aligned) track chunks that end within `receivedSamples`.
    int64_t fullChunksWithin(int64_t receivedSamples) const { return active() ? receivedSamples / m_chunk : 0; }

    /// Runs one track chunk (its samples) through the net and adds its probabilities.
    Result<void> run(std::span<const float> samples, const CancelToken* cancel);
    size_t chunksRun() const { return m_count; }
    /// Sets r.trackScores to the mean over the chunks run and r.trackChunkSeconds to the
    /// longest of them (after computeTrackScores; without a chunk run the taggram's mean stands).
    void finish(analysis::TrackAnalysis& r) const;

private:
    const Tagger::Impl& m_impl;
    int64_t m_chunk = 0;
    std::vector<double> m_sum;
    size_t m_count = 0;
    int64_t m_longest = 0;
};

/// Model, tags, rates and duration of an analysis before any chunk is run.
analysis::TrackAnalysis describeTrack(const cards::ModelCard& card, double durationSeconds);

/// Adds the grouped hierarchy when the card has a taxonomy (a warning when it cannot be read).
void addHierarchy(const Tagger::Impl& impl, analysis::TrackAnalysis& r);

} // namespace tagscope::model
