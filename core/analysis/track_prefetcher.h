// SPDX-License-Identifier: GPL-3.0-or-later
// Decodes the next tracks of a list on a background thread while the caller runs the model on
// the current one: a producer thread feeds a bounded queue (the decode of track i+1 overlaps
// the model on track i). Two ways to take the tracks:
//  - next(): whole decoded tracks (at most `depth` wait in memory);
//  - nextInto(consumer): streaming; the decoded blocks go through a queue bounded in samples
//    to an AudioAnalyzer on the caller's thread (the tagger runs chunk batches as they fill),
//    so memory does not grow with a track's length.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/audio_analyzer.h"
#include "core/audio/audio_decoder.h"
#include "core/common/error.h"
#include "core/common/progress.h"

namespace tagscope::analysis {

/// One decoded track as it leaves the queue.
struct PrefetchedTrack {
    size_t index = 0;                     ///< position in the list given to the prefetcher
    std::filesystem::path file;
    /// At the requested rate, or why not. Streaming (nextInto): empty on success (the samples went
    /// to the consumer); the error of the decode or of the consumer otherwise.
    Result<audio::AudioBuffer> audio = audio::AudioBuffer{};
    std::string audioHash;                ///< AudioHashAnalyzer's hash (when asked for)
    double decodeSeconds = 0.0;           ///< wall time of decode + hash + resample
};

struct PrefetchOptions {
    int sampleRate = 16000;               ///< rate of PrefetchedTrack::audio
    audio::ResampleQuality quality = audio::ResampleQuality::Torchaudio;
    bool hash = true;                     ///< also compute the audio hash in the same pass
    size_t depth = 1;                     ///< decoded tracks waiting at most (besides the one in use)
    /// Streaming: take tracks with nextInto() only. The decode thread may run this many samples
    /// (at `sampleRate`) ahead of the consumer, into the next tracks (4M = 16 MB, 4 min at 16 kHz).
    bool stream = false;
    size_t queueSamples = size_t(1) << 22;
};

class TrackPrefetcher {
public:
    /// Starts decoding `files` in order at once. `cancel` (may be null) stops the thread early.
    TrackPrefetcher(std::vector<std::filesystem::path> files, PrefetchOptions options, const CancelToken* cancel);
    /// Stops and joins the decode thread (never throws).
    ~TrackPrefetcher();
    TrackPrefetcher(const TrackPrefetcher&) = delete;
    TrackPrefetcher& operator=(const TrackPrefetcher&) = delete;

    /// The next track in list order; blocks until it is decoded. nullopt after the last one, or
    /// once cancelled. Call from one thread.
    std::optional<PrefetchedTrack> next();

    /// Streaming (options.stream): feeds the next track, in list order, to `consumer` on the
    /// calling thread (start, process per block, finish; abort when the decode or the consumer
    /// fails) and returns its record. `cancel` is passed to the consumer. nullopt after the last
    /// track or once cancelled. Call from one thread.
    std::optional<PrefetchedTrack> nextInto(AudioAnalyzer& consumer, const CancelToken* cancel = nullptr);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace tagscope::analysis
