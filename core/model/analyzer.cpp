// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/analyzer.h"

#include <algorithm>
#include <cmath>

#include "core/model/engine/attention_maps.h"
#include "core/model/engine/chunk_plan.h"
#include "core/model/engine/tagger_impl.h"
#include "core/model/engine/track_mel.h"
#include "core/tags/taxonomy.h"

namespace tagscope::model {
namespace {

analysis::TrackAnalysis describeTrack(const cards::ModelCard& card, const audio::AudioBuffer& audio) {
    analysis::TrackAnalysis r;
    r.modelId = card.id;
    r.tagNames = card.tagNames();
    r.vocabularyOfTag = card.vocabularyOfTags();
    r.sampleRate = card.sampleRate;
    r.durationSeconds = audio.durationSeconds();
    r.chunkSeconds = card.chunkSeconds();
    r.melFrameSeconds = card.mel.frameSeconds();
    r.taggram.tagCount = card.tagCount();
    return r;
}

void addHierarchy(const cards::ModelCard& card, analysis::TrackAnalysis& r) {
    if (!card.taxonomyPath) return;
    auto taxonomy = tags::loadTaxonomy(*card.taxonomyPath);
    if (!taxonomy) {
        r.warnings.push_back("no tag hierarchy: " + taxonomy.error().message);
        return;
    }
    r.hierarchy = tags::groupedMaxPool(*taxonomy, r.tagNames, r.trackScores, r.vocabularyOfTag);
}

/// The model stage: chunks in batches through the net, streaming each chunk out.
class ChunkRunner {
public:
    ChunkRunner(Tagger::Impl& impl, const audio::AudioBuffer& audio, const AnalysisOptions& options,
                analysis::TrackAnalysis& result)
        : m_impl(impl), m_audio(audio), m_options(options), m_result(result) {}

    Result<void> run(const std::vector<ChunkSpan>& chunks, ThrottledProgress& progress, const CancelToken* cancel,
                     const Analyzer::ChunkCallback& onChunk) {
        const bool attention = m_options.attention && m_impl.net->hasAttention();
        std::optional<AttentionAccumulator> maps;
        if (attention)
            maps.emplace(*m_impl.net, m_impl.net->attentionLayers(), m_impl.net->attentionHeads(), m_impl.chunkFrames(),
                         m_impl.card.mel.frameSeconds());
        const size_t batch = size_t(std::max(1, m_options.batchSize));
        const double sr = m_impl.card.sampleRate;
        // NOTE: the first batch holds one chunk, so a caller shows the first tags after one
        // chunk's forward pass rather than a whole batch's; later batches are full.
        for (size_t first = 0, last = 0; first < chunks.size(); first = last) {
            if (isCancelled(cancel)) return fail(Error::cancelled());
            last = std::min(chunks.size(), first + (first == 0 ? 1 : batch));
            std::vector<dsp::Spectrogram> mels;
            for (size_t i = first; i < last; ++i)
                mels.push_back(m_impl.chunkMel(std::span<const float>(m_audio.samples).subspan(
                    size_t(chunks[i].start), size_t(chunks[i].valid))));
            if (isCancelled(cancel)) return fail(Error::cancelled());
            AttentionControl control;
            control.capture = attention;
            torch::Tensor probs;
            {
                c10::InferenceMode inference;
                probs = m_impl.net->forward(m_impl.melBatch(mels), attention ? &control : nullptr);
            }
            const auto rows = tensorRows(probs);
            for (size_t i = first; i < last; ++i) {
                analysis::ChunkPrediction p;
                p.index = int(i);
                p.startSeconds = double(chunks[i].start) / sr;
                p.endSeconds = double(chunks[i].start + chunks[i].valid) / sr;
                p.probabilities = rows[i - first];
                m_result.taggram.chunkStartSeconds.push_back(p.startSeconds);
                m_result.taggram.chunkEndSeconds.push_back(p.endSeconds);
                m_result.taggram.values.insert(m_result.taggram.values.end(), p.probabilities.begin(),
                                               p.probabilities.end());
                if (maps) {
                    std::vector<torch::Tensor> layers;
                    for (const auto& l : control.captured) layers.push_back(l[int64_t(i - first)]);
                    maps->addChunk(layers, p.startSeconds, p.endSeconds);
                }
                if (onChunk) onChunk(p);
            }
            progress(double(last) / double(chunks.size()), "model");
        }
        if (maps) {
            m_result.attention = maps->result();
            progress(1.0, "attention");
        }
        return {};
    }

private:
    Tagger::Impl& m_impl;
    const audio::AudioBuffer& m_audio;
    const AnalysisOptions& m_options;
    analysis::TrackAnalysis& m_result;
};

void computeTrackScores(analysis::TrackAnalysis& r) {
    const auto& g = r.taggram;
    r.trackScores.assign(g.tagCount, 0.0f);
    if (g.chunkCount() == 0) return;
    std::vector<double> sum(g.tagCount, 0.0);
    for (size_t c = 0; c < g.chunkCount(); ++c)
        for (size_t t = 0; t < g.tagCount; ++t) sum[t] += g.at(c, t);
    for (size_t t = 0; t < g.tagCount; ++t) r.trackScores[t] = float(sum[t] / double(g.chunkCount()));
}

} // namespace

Analyzer::Analyzer(std::shared_ptr<Tagger> tagger) : m_tagger(std::move(tagger)) {}

Result<analysis::TrackAnalysis> Analyzer::analyzeFile(const std::filesystem::path& file, const AnalysisOptions& options,
                                                      const ProgressFn& progress, const CancelToken* cancel,
                                                      const ChunkCallback& onChunk, audio::AudioBuffer* decodedOut) {
    audio::DecodeOptions decode;
    decode.targetSampleRate = m_tagger->card().sampleRate;
    decode.quality = options.resampleQuality;
    auto audio = audio::decodeAudio(file, decode, progress, cancel);
    if (!audio) return fail(audio.error());
    auto result = analyzeAudio(*audio, options, progress, cancel, onChunk);
    if (result) result->file = file;
    else if (result.error().kind != Error::Kind::Cancelled && result.error().message.find(file.string()) == std::string::npos)
        result.error().message = file.string() + ": " + result.error().message;
    if (decodedOut) *decodedOut = std::move(*audio);
    return result;
}

Result<analysis::TrackAnalysis> Analyzer::analyzeAudio(const audio::AudioBuffer& audio, const AnalysisOptions& options,
                                                       const ProgressFn& progressFn, const CancelToken* cancel,
                                                       const ChunkCallback& onChunk) {
    auto& impl = m_tagger->impl();
    const auto& card = impl.card;
    if (audio.sampleRate != card.sampleRate)
        return fail(Error::Kind::InvalidInput, {}, "audio at " + std::to_string(audio.sampleRate) +
                    " Hz given to a model that needs " + std::to_string(card.sampleRate) + " Hz");
    if (audio.samples.empty()) return fail(Error::Kind::InvalidInput, {}, "the audio is empty (no samples to analyse)");
    if (options.hopSeconds < 0.0 || !std::isfinite(options.hopSeconds))
        return fail(Error::Kind::InvalidInput, {}, "the chunk hop must be 0 (no overlap) or a positive number of seconds");
    ThrottledProgress progress(progressFn);
    try {
        impl.applyThreads();
        analysis::TrackAnalysis result = describeTrack(card, audio);
        const int64_t hop = options.hopSeconds > 0.0 ? std::max<int64_t>(1, std::llround(options.hopSeconds * card.sampleRate))
                                                     : card.chunkSamples;
        result.hopSeconds = double(hop) / card.sampleRate;
        const auto chunks = planChunks(int64_t(audio.samples.size()), card.chunkSamples, hop, options.padLastChunk,
                                       options.alignLastChunkToEnd);

        progress(0.0, "mel");
        auto mel = trackMel(impl.mel, audio.samples, [&](double f) { progress(f, "mel"); }, cancel);
        if (!mel) return fail(mel.error());
        result.mel = std::move(*mel);

        progress(0.0, "model");
        ChunkRunner runner(impl, audio, options, result);
        if (auto ok = runner.run(chunks, progress, cancel, onChunk); !ok) return fail(ok.error());
        computeTrackScores(result);
        addHierarchy(card, result);
        return result;
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, {}, "analysing with model '" + card.id + "' failed: " + e.what());
    }
}

} // namespace tagscope::model
