// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/analyzer.h"

#include <algorithm>
#include <cmath>

#include "core/model/engine/attention_maps.h"
#include "core/model/engine/chunk_plan.h"
#include "core/model/engine/chunk_runner.h"
#include "core/model/engine/tagger_impl.h"
#include "core/model/engine/track_mel.h"

namespace tagscope::model {

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
        analysis::TrackAnalysis result = describeTrack(card, audio.durationSeconds());
        const int64_t hop = options.hopSeconds > 0.0 ? std::max<int64_t>(1, std::llround(options.hopSeconds * card.sampleRate))
                                                     : card.chunkSamples;
        result.hopSeconds = double(hop) / card.sampleRate;
        const auto chunks = planChunks(int64_t(audio.samples.size()), card.chunkSamples, hop, options.padLastChunk,
                                       options.alignLastChunkToEnd);

        if (options.trackMel) {
            progress(0.0, "mel");
            auto mel = trackMel(impl.mel, audio.samples, [&](double f) { progress(f, "mel"); }, cancel);
            if (!mel) return fail(mel.error());
            result.mel = std::move(*mel);
        }

        progress(0.0, "model");
        ChunkRunner runner(impl, options, result);
        const std::span<const float> samples(audio.samples);
        auto samplesOf = [&](const ChunkSpan& c) { return samples.subspan(size_t(c.start), size_t(c.valid)); };
        for (size_t first = 0, last = 0; first < chunks.size(); first = last) {
            last = runner.batchEnd(first, chunks.size());
            if (auto ok = runner.runBatch(chunks, first, last, samplesOf, cancel, onChunk); !ok) return fail(ok.error());
            progress(double(last) / double(chunks.size()), "model");
        }
        runner.finish();
        if (result.attention) progress(1.0, "attention");
        computeTrackScores(result);
        TrackChunkPass trackPass(impl);
        for (const auto& c : trackPass.plan(int64_t(audio.samples.size())))
            if (auto ok = trackPass.run(samples.subspan(size_t(c.start), size_t(c.valid)), cancel); !ok) return fail(ok.error());
        trackPass.finish(result);
        addHierarchy(impl, result);
        return result;
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, {}, "analysing with model '" + card.id + "' failed: " + e.what());
    }
}

} // namespace tagscope::model
