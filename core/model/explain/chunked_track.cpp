// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/explain/chunked_track.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tagscope::model {
namespace {

constexpr size_t kBatch = 4;

} // namespace

Result<ChunkedTrack> ChunkedTrack::build(Tagger::Impl& impl, const analysis::TrackAnalysis& analysis,
                                         const audio::AudioBuffer& audio, size_t tag, const CancelToken* cancel) {
    ChunkedTrack t;
    t.m_tag = tag;
    t.m_sampleRate = impl.card.sampleRate;
    t.m_frameSeconds = impl.card.mel.frameSeconds();
    const auto& g = analysis.taggram;
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
    for (const auto& s : t.m_chunks) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        t.m_mels.push_back(impl.chunkMel(std::span<const float>(audio.samples).subspan(size_t(s.start), size_t(s.valid))));
        const auto& v = t.m_mels.back().values;
        t.m_floors.push_back(*std::min_element(v.begin(), v.end()));
    }
    auto base = t.run(impl, t.m_mels, cancel);
    if (!base) return fail(base.error());
    t.m_baseline = std::move(*base);
    return t;
}

double ChunkedTrack::validEndSeconds(size_t chunk) const {
    return double(m_chunks[chunk].start + m_chunks[chunk].valid) / m_sampleRate;
}

float ChunkedTrack::baseline() const {
    if (m_baseline.empty()) return 0.0f;
    return float(std::accumulate(m_baseline.begin(), m_baseline.end(), 0.0) / double(m_baseline.size()));
}

Result<std::vector<float>> ChunkedTrack::run(Tagger::Impl& impl, const std::vector<dsp::Spectrogram>& mels,
                                             const CancelToken* cancel) const {
    std::vector<float> out;
    c10::InferenceMode inference;
    for (size_t first = 0; first < mels.size(); first += kBatch) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const std::vector<dsp::Spectrogram> batch(mels.begin() + long(first),
                                                  mels.begin() + long(std::min(mels.size(), first + kBatch)));
        const auto probs = impl.net->forward(impl.melBatch(batch)).select(1, int64_t(m_tag)).to(torch::kCPU).contiguous();
        out.insert(out.end(), probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
    }
    return out;
}

Result<float> ChunkedTrack::maskedProbability(Tagger::Impl& impl, const std::vector<Interval>& masked,
                                              const CancelToken* cancel) const {
    std::vector<size_t> touched;
    std::vector<dsp::Spectrogram> mels;
    for (size_t c = 0; c < m_chunks.size(); ++c) {
        const double start = startSeconds(c);
        auto mel = m_mels[c];
        bool any = false;
        for (int f = 0; f < mel.nFrames; ++f) {
            const double centre = start + f * m_frameSeconds;
            const bool hit = std::any_of(masked.begin(), masked.end(),
                                         [&](const Interval& i) { return centre >= i.first && centre < i.second; });
            if (!hit) continue;
            any = true;
            for (int m = 0; m < mel.nMels; ++m) mel.at(m, f) = m_floors[c];
        }
        if (!any) continue;
        touched.push_back(c);
        mels.push_back(std::move(mel));
    }
    auto probs = run(impl, mels, cancel);
    if (!probs) return fail(probs.error());
    std::vector<float> perChunk = m_baseline;
    for (size_t i = 0; i < touched.size(); ++i) perChunk[touched[i]] = (*probs)[i];
    return float(std::accumulate(perChunk.begin(), perChunk.end(), 0.0) / double(std::max<size_t>(1, perChunk.size())));
}

} // namespace tagscope::model
