// SPDX-License-Identifier: GPL-3.0-or-later
// Audio as recorded, for listening: the file's own rate and channels (not the analysis buffer).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/common/error.h"
#include "core/common/progress.h"

namespace tagscope::audio {

/// Interleaved float samples at the file's rate with the file's channels.
struct PlaybackAudio {
    int sampleRate = 0;
    int channels = 0;
    std::vector<float> samples;       ///< frames * channels, interleaved
    int64_t frames() const { return channels > 0 ? int64_t(samples.size()) / channels : 0; }
    double durationSeconds() const { return sampleRate > 0 ? double(frames()) / sampleRate : 0.0; }
};

/// Decodes a whole file for playback at its own sample rate and channel count, by blocks,
/// reporting progress ("decode for playback") and honouring cancellation between blocks.
/// Missing, empty, unreadable or implausible files return an Error naming the file and the
/// reason; non-finite samples are played as silence. A file shorter than its header says is
/// played as far as it goes (the analysis has already said what is wrong with it).
Result<PlaybackAudio> decodeForPlayback(const std::filesystem::path& path, const ProgressFn& progress = {},
                                        const CancelToken* cancel = nullptr);

/// `audio` with `channels` channels: the same when equal; to mono the mean of all channels;
/// from mono every output channel copies it; otherwise the first `channels` channels when
/// there are more (for more than two, the front pair), and extra outputs copy the last input.
PlaybackAudio remixChannels(const PlaybackAudio& audio, int channels);

/// `audio` resampled to `sampleRate`, channel by channel (best-quality sinc). Errors when a
/// rate is implausible.
Result<PlaybackAudio> resamplePlayback(const PlaybackAudio& audio, int sampleRate);

} // namespace tagscope::audio
