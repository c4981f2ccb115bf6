// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/explain/chunked_track.h"

#include "core/model/engine/chunk_runner.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace tagscope::model {

Result<ChunkedTrack> ChunkedTrack::build(Tagger::Impl& impl, const analysis::TrackAnalysis& analysis,
                                         const audio::AudioBuffer& audio, double segmentSeconds,
                                         const CancelToken* cancel) {
    ChunkedTrack t;
    t.m_sampleRate = impl.card.sampleRate;
    t.m_frameSeconds = impl.card.mel.frameSeconds();
    t.m_tagCount = impl.card.tagCount();
    t.m_duration = audio.durationSeconds();
    t.m_segmentSeconds = segmentSeconds;
    t.m_segmentCount = size_t(std::ceil(t.m_duration / segmentSeconds - 1e-9));
    const auto& g = analysis.taggram;
    if (g.tagCount != t.m_tagCount || g.values.size() != g.chunkCount() * g.tagCount)
        return fail(Error::Kind::Mismatch, analysis.file, "the analysis' taggram does not fit the model (" +
                    std::to_string(g.tagCount) + " tags, the model has " + std::to_string(t.m_tagCount) + ")");
    const auto n = int64_t(audio.samples.size());
    for (size_t c = 0; c < g.chunkCount(); ++c) {
        ChunkSpan s;
        s.start = std::llround(g.chunkStartSeconds[c] * t.m_sampleRate);
        s.valid = std::min<int64_t>({std::llround(g.chunkEndSeconds[c] * t.m_sampleRate) - s.start,
                                     impl.card.chunkSamples, n - s.start});
        if (s.start < 0 || s.start >= n || s.valid <= 0)
            return fail(Error::Kind::Mismatch, analysis.file, "the analysis does not belong to this audio (chunk " +
                        std::to_string(c) + " lies outside the track)");
        t.m_chunks.push_back(s);
    }
    for (size_t c = 0; c < t.m_chunks.size(); ++c) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const auto& s = t.m_chunks[c];
        t.m_mels.push_back(impl.chunkMel(std::span<const float>(audio.samples).subspan(size_t(s.start), size_t(s.valid))));
        const auto& mel = t.m_mels.back();
        t.m_floors.push_back(*std::min_element(mel.values.begin(), mel.values.end()));
        std::vector<int> segments(size_t(mel.nFrames), -1);
        const double start = t.startSeconds(c);
        for (int f = 0; f < mel.nFrames; ++f) {
            const double centre = start + f * t.m_frameSeconds;
            if (centre < t.m_duration) segments[size_t(f)] = int(std::min<double>(double(t.m_segmentCount - 1), std::floor(centre / segmentSeconds)));
        }
        std::vector<int> held;
        for (int j : segments)
            if (j >= 0 && (held.empty() || held.back() != j)) held.push_back(j);
        t.m_heldSegments.push_back(std::move(held));
        t.m_frameSegments.push_back(std::move(segments));
    }
    t.m_baseline = g.values;
    t.m_memo.resize(t.m_chunks.size());
    return t;
}

double ChunkedTrack::validEndSeconds(size_t chunk) const {
    return double(m_chunks[chunk].start + m_chunks[chunk].valid) / m_sampleRate;
}

std::vector<float> ChunkedTrack::baselineTrack() const {
    std::vector<double> sum(m_tagCount, 0.0);
    for (size_t c = 0; c < m_chunks.size(); ++c)
        for (size_t t = 0; t < m_tagCount; ++t) sum[t] += baseline(c, t);
    std::vector<float> out(m_tagCount, 0.0f);
    for (size_t t = 0; t < m_tagCount; ++t) out[t] = float(sum[t] / double(std::max<size_t>(1, m_chunks.size())));
    return out;
}

Interval ChunkedTrack::segmentInterval(size_t j) const {
    return {double(j) * m_segmentSeconds, std::min(m_duration, double(j + 1) * m_segmentSeconds)};
}

std::optional<dsp::Spectrogram> ChunkedTrack::maskSegments(size_t chunk, const std::vector<uint8_t>& segments) const {
    const auto& fs = m_frameSegments[chunk];
    std::optional<dsp::Spectrogram> out;
    for (size_t f = 0; f < fs.size(); ++f) {
        if (fs[f] < 0 || size_t(fs[f]) >= segments.size() || !segments[size_t(fs[f])]) continue;
        if (!out) out = m_mels[chunk];
        for (int m = 0; m < out->nMels; ++m) out->at(m, int(f)) = m_floors[chunk];
    }
    return out;
}

std::optional<uint64_t> ChunkedTrack::patternOf(size_t chunk, const std::vector<uint8_t>& segments) const {
    const auto& held = m_heldSegments[chunk];
    if (held.size() > 63) return std::nullopt;
    uint64_t key = 0;
    for (size_t b = 0; b < held.size(); ++b)
        if (size_t(held[b]) < segments.size() && segments[size_t(held[b])]) key |= uint64_t(1) << b;
    return key;
}

bool ChunkedTrack::fullyMasked(size_t chunk, const std::vector<uint8_t>& segments) const {
    for (int s : m_frameSegments[chunk])
        if (s >= 0 && (size_t(s) >= segments.size() || !segments[size_t(s)])) return false;
    return true;
}

Result<std::vector<std::vector<float>>> ChunkedTrack::maskedTrackProbabilities(
    Tagger::Impl& impl, const std::vector<std::vector<uint8_t>>& masks, const CancelToken* cancel) {
    const size_t nChunks = m_chunks.size();
    std::vector<std::vector<double>> sums(masks.size(), std::vector<double>(m_tagCount, 0.0));
    auto addRow = [&](size_t target, const float* p) {
        for (size_t t = 0; t < m_tagCount; ++t) sums[target][t] += p[t];
    };
    // A chunk's masked input depends only on which of its own segments are masked, so each
    // pattern runs once per chunk (memoised across calls on this track: random orderings and the
    // curves of every method keep drawing the same few patterns per chunk) and is shared by
    // every mask that produces it. The empty pattern is the unmasked baseline.
    std::vector<std::vector<size_t>> waiting;                     // per queued run: its masks
    std::vector<std::pair<size_t, uint64_t>> queued;              // per queued run: chunk, pattern
    std::unordered_map<uint64_t, size_t> queuedIndex;             // chunk * 2^k + pattern -> run
    MaskedBatchRunner runner(impl, [&](size_t run, size_t chunk, const float* p) {
        const uint64_t key = queued[run].second;
        if (key == kNoPattern) { // not memoisable: used by its one mask only
            for (size_t i : waiting[run]) addRow(i, p);
            return;
        }
        auto& row = m_memo[chunk][key];
        row.assign(p, p + m_tagCount);
        for (size_t i : waiting[run]) addRow(i, row.data());
    });
    for (size_t i = 0; i < masks.size(); ++i) {
        for (size_t c = 0; c < nChunks; ++c) {
            const auto key = patternOf(c, masks[i]);
            if (!key) { // more segments in the chunk than a key holds: no memo
                auto mel = maskSegments(c, masks[i]);
                if (!mel) {
                    addRow(i, m_baseline.data() + c * m_tagCount);
                    continue;
                }
                queued.emplace_back(c, kNoPattern);
                waiting.push_back({i});
                if (auto ok = runner.add(queued.size() - 1, c, std::move(*mel), cancel); !ok) return fail(ok.error());
                continue;
            }
            if (*key == 0) {
                addRow(i, m_baseline.data() + c * m_tagCount);
                continue;
            }
            if (auto hit = m_memo[c].find(*key); hit != m_memo[c].end()) {
                addRow(i, hit->second.data());
                continue;
            }
            const uint64_t id = (uint64_t(c) << 32) ^ *key;
            if (auto q = queuedIndex.find(id); q != queuedIndex.end()) {
                waiting[q->second].push_back(i);
                continue;
            }
            auto mel = maskSegments(c, masks[i]);
            queuedIndex.emplace(id, queued.size());
            queued.emplace_back(c, *key);
            waiting.push_back({i});
            ++m_maskedRuns;
            if (auto ok = runner.add(queued.size() - 1, c, std::move(*mel), cancel); !ok) return fail(ok.error());
        }
    }
    if (auto ok = runner.flush(cancel); !ok) return fail(ok.error());
    std::vector<std::vector<float>> out(masks.size(), std::vector<float>(m_tagCount, 0.0f));
    for (size_t i = 0; i < masks.size(); ++i)
        for (size_t t = 0; t < m_tagCount; ++t) out[i][t] = float(sums[i][t] / double(std::max<size_t>(1, nChunks)));
    return out;
}

MaskedBatchRunner::MaskedBatchRunner(Tagger::Impl& impl, Sink sink, size_t batch)
    : m_impl(impl), m_sink(std::move(sink)),
      m_batch(batch > 0 ? batch : chunksPerBatch(impl, AnalysisOptions{}.batchSize)) {}

Result<void> MaskedBatchRunner::add(size_t target, size_t chunk, dsp::Spectrogram mel, const CancelToken* cancel) {
    m_mels.push_back(std::move(mel));
    m_jobs.emplace_back(target, chunk);
    if (m_mels.size() >= m_batch) return flush(cancel);
    return {};
}

Result<void> MaskedBatchRunner::flush(const CancelToken* cancel) {
    if (m_mels.empty()) return {};
    if (isCancelled(cancel)) return fail(Error::cancelled());
    torch::Tensor probs;
    {
        c10::InferenceMode inference;
        probs = m_impl.net->forward(m_impl.melBatch(m_mels)).to(torch::kCPU).contiguous();
    }
    const auto tags = probs.size(1);
    const float* p = probs.data_ptr<float>();
    for (size_t i = 0; i < m_jobs.size(); ++i) m_sink(m_jobs[i].first, m_jobs[i].second, p + int64_t(i) * tags);
    m_mels.clear();
    m_jobs.clear();
    return {};
}

} // namespace tagscope::model
