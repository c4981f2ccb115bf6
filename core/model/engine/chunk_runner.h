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

/// Model, tags, rates and duration of an analysis before any chunk is run.
analysis::TrackAnalysis describeTrack(const cards::ModelCard& card, double durationSeconds);

/// Adds the grouped hierarchy when the card has a taxonomy (a warning when it cannot be read).
void addHierarchy(const Tagger::Impl& impl, analysis::TrackAnalysis& r);

} // namespace tagscope::model
