// SPDX-License-Identifier: GPL-3.0-or-later
// Decodes the next tracks of a list on a background thread while the caller runs the model on
// the current one: a producer thread feeds a bounded queue (the decode of track i+1 overlaps
// the model on track i; at most `depth` decoded tracks wait in memory).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/audio_decoder.h"
#include "core/common/error.h"
#include "core/common/progress.h"

namespace tagscope::analysis {

/// One decoded track as it leaves the queue.
struct PrefetchedTrack {
    size_t index = 0;                     ///< position in the list given to the prefetcher
    std::filesystem::path file;
    Result<audio::AudioBuffer> audio = audio::AudioBuffer{}; ///< at the requested rate, or why not
    std::string audioHash;                ///< AudioHashAnalyzer's hash (when asked for)
    double decodeSeconds = 0.0;           ///< wall time of decode + hash + resample
};

struct PrefetchOptions {
    int sampleRate = 16000;               ///< rate of PrefetchedTrack::audio
    audio::ResampleQuality quality = audio::ResampleQuality::Torchaudio;
    bool hash = true;                     ///< also compute the audio hash in the same pass
    size_t depth = 1;                     ///< decoded tracks waiting at most (besides the one in use)
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

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace tagscope::analysis
