// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/engine/chunk_runner.h"

#include "core/analysis/hierarchy.h"

#include "core/common/heap_tuning.h"
#include "core/model/engine/allocation_probe.h"

#include <algorithm>
#include <cmath>

#include "core/tags/taxonomy.h"

namespace tagscope::model {

ChunkRunner::ChunkRunner(const Tagger::Impl& impl, const AnalysisOptions& options, analysis::TrackAnalysis& result)
    : m_impl(impl), m_options(options), m_result(result) {
    m_attention = m_options.attention && m_impl.net->hasAttention();
    m_coarse = m_impl.net->hasCoarseAttention();
    if (m_attention)
        m_maps.emplace(*m_impl.net, m_impl.net->attentionLayers(), m_impl.net->attentionHeads(), m_impl.chunkFrames(),
                       m_impl.card.mel.frameSeconds());
}

namespace {

// NOTE: a forward pass's activations grow with the audio in it: CRNN with 8 chunks of 29 s
// (232 s of audio) peaked at 666 MB on a 10-minute track, most of it layer 2's output. Capping
// a batch at 120 s of audio (4 chunks of FCN / CRNN; 5-s and 3-s models keep 8) bounds the
// memory of every model without costing speed (the convolutions are as efficient at 4).
constexpr double kMaxBatchAudioSeconds = 120.0;

} // namespace

size_t chunksPerBatch(const Tagger::Impl& impl, int requested) {
    const double chunkSeconds = double(impl.card.chunkSamples) / double(impl.card.sampleRate);
    const auto byMemory = size_t(std::max(1.0, std::floor(kMaxBatchAudioSeconds / chunkSeconds)));
    size_t batch = std::min(size_t(std::max(1, requested)), byMemory);
    // NOTE: blocks above the heap's mmap threshold are mapped and page-faulted afresh on every
    // pass (heap_tuning.h). MusiCNN's largest activation is ~9 MB a chunk: at 8 chunks a batch
    // it was mapped each time (4.7 s of system time on a 4-minute track). Where one chunk's
    // largest block fits, a batch holds as many chunks as keep it under the threshold; where it
    // does not (FCN, CRNN: 29-s chunks) the mapping cannot be avoided and the rule above stays.
    const size_t perChunk = impl.chunkActivationBytes.load(std::memory_order_relaxed);
    const size_t heapBlock = kHeapMmapThresholdBytes;
    if (perChunk > 0 && perChunk < heapBlock) batch = std::min(batch, std::max<size_t>(1, heapBlock / perChunk));
    return batch;
}

size_t ChunkRunner::batchEnd(size_t first, size_t total) const {
    return std::min(total, first + (first == 0 ? 1 : chunksPerBatch(m_impl, m_options.batchSize)));
}

Result<void> ChunkRunner::runBatch(std::span<const ChunkSpan> chunks, size_t first, size_t last,
                                   const SamplesOf& samples, const CancelToken* cancel,
                                   const Analyzer::ChunkCallback& onChunk) {
    if (isCancelled(cancel)) return fail(Error::cancelled());
    std::vector<dsp::Spectrogram> mels;
    for (size_t i = first; i < last; ++i) mels.push_back(m_impl.chunkMel(samples(chunks[i])));
    if (isCancelled(cancel)) return fail(Error::cancelled());
    AttentionControl control;
    control.capture = m_attention;
    control.captureCoarse = m_coarse;
    torch::Tensor probs;
    // The first pass of a model (one chunk) also measures its largest activation.
    const bool measure = last - first == 1 && m_impl.chunkActivationBytes.load(std::memory_order_relaxed) == 0;
    if (measure) resetLargestAllocation();
    {
        c10::InferenceMode inference;
        probs = m_impl.net->forward(m_impl.melBatch(mels), m_attention || m_coarse ? &control : nullptr);
        if (m_coarse && control.coarseRelation.defined()) {
            auto sum = control.coarseRelation.to(torch::kCPU, torch::kFloat64).sum(0);
            m_relationSum = m_relationSum.defined() ? m_relationSum + sum : sum;
            m_relationChunks += control.coarseRelation.size(0);
        }
    }
    if (measure) m_impl.chunkActivationBytes.store(std::max<size_t>(1, largestAllocation()), std::memory_order_relaxed);
    const auto rows = tensorRows(probs);
    const double sr = m_impl.card.sampleRate;
    for (size_t i = first; i < last; ++i) {
        analysis::ChunkPrediction p;
        p.index = int(i);
        p.startSeconds = double(chunks[i].start) / sr;
        p.endSeconds = double(chunks[i].start + chunks[i].valid) / sr;
        p.probabilities = rows[i - first];
        m_result.taggram.chunkStartSeconds.push_back(p.startSeconds);
        m_result.taggram.chunkEndSeconds.push_back(p.endSeconds);
        m_result.taggram.values.insert(m_result.taggram.values.end(), p.probabilities.begin(), p.probabilities.end());
        if (m_maps) {
            std::vector<torch::Tensor> layers;
            for (const auto& l : control.captured) layers.push_back(l[int64_t(i - first)]);
            m_maps->addChunk(layers, p.startSeconds, p.endSeconds);
        }
        if (onChunk) onChunk(p);
    }
    return {};
}

void ChunkRunner::finish() {
    if (m_maps) m_result.attention = m_maps->result();
    if (m_relationChunks > 0) {
        auto mean = (m_relationSum / double(m_relationChunks)).to(torch::kFloat32).contiguous();
        m_result.coarseRelation.assign(mean.data_ptr<float>(), mean.data_ptr<float>() + mean.numel());
    }
}

void computeTrackScores(analysis::TrackAnalysis& r) {
    const auto& g = r.taggram;
    r.trackScores.assign(g.tagCount, 0.0f);
    if (g.chunkCount() == 0) return;
    std::vector<double> sum(g.tagCount, 0.0);
    for (size_t c = 0; c < g.chunkCount(); ++c)
        for (size_t t = 0; t < g.tagCount; ++t) sum[t] += g.at(c, t);
    for (size_t t = 0; t < g.tagCount; ++t) r.trackScores[t] = float(sum[t] / double(g.chunkCount()));
}

TrackChunkPass::TrackChunkPass(const Tagger::Impl& impl)
    : m_impl(impl), m_chunk(impl.card.hasTrackChunks() ? impl.card.trackChunkSamples : 0) {}

std::vector<ChunkSpan> TrackChunkPass::plan(int64_t totalSamples) const {
    if (!active() || totalSamples <= m_impl.card.chunkSamples) return {};
    if (totalSamples < m_chunk) return {{0, totalSamples}};
    return planChunks(totalSamples, m_chunk, m_chunk, true, true);
}

Result<void> TrackChunkPass::run(std::span<const float> samples, const CancelToken* cancel) {
    if (isCancelled(cancel)) return fail(Error::cancelled());
    torch::Tensor probs;
    {
        c10::InferenceMode inference;
        probs = m_impl.net->forward(m_impl.melBatch({m_impl.mel.decibels(samples)}));
    }
    const auto rows = tensorRows(probs);
    if (m_sum.empty()) m_sum.assign(rows.front().size(), 0.0);
    for (size_t t = 0; t < m_sum.size() && t < rows.front().size(); ++t) m_sum[t] += rows.front()[t];
    ++m_count;
    m_longest = std::max<int64_t>(m_longest, int64_t(samples.size()));
    return {};
}

void TrackChunkPass::finish(analysis::TrackAnalysis& r) const {
    if (m_count == 0) return;
    r.trackScores.assign(m_sum.size(), 0.0f);
    for (size_t t = 0; t < m_sum.size(); ++t) r.trackScores[t] = float(m_sum[t] / double(m_count));
    r.trackChunkSeconds = double(m_longest) / double(m_impl.card.sampleRate);
}

analysis::TrackAnalysis describeTrack(const cards::ModelCard& card, double durationSeconds) {
    analysis::TrackAnalysis r;
    r.modelId = card.id;
    r.tagNames = card.tagNames();
    r.vocabularyOfTag = card.vocabularyOfTags();
    r.sampleRate = card.sampleRate;
    r.durationSeconds = durationSeconds;
    r.chunkSeconds = card.chunkSeconds();
    r.melFrameSeconds = card.mel.frameSeconds();
    r.taggram.tagCount = card.tagCount();
    return r;
}

void addHierarchy(const Tagger::Impl& impl, analysis::TrackAnalysis& r) {
    if (!impl.taxonomy) {
        if (!impl.taxonomyProblem.empty()) r.warnings.push_back("no tag hierarchy: " + impl.taxonomyProblem);
        return;
    }
    analysis::buildHierarchy(*impl.taxonomy, r);
}

} // namespace tagscope::model
