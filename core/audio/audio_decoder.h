// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/audio/resampler.h"

namespace tagscope::audio {

/// What a file holds, read from its header without decoding the samples.
struct AudioInfo {
    int sampleRate = 0;
    int channels = 0;
    int64_t frames = 0;
    std::string format; ///< e.g. "OGG (Vorbis)", "WAV (PCM 16)"
    double durationSeconds() const { return sampleRate > 0 ? double(frames) / sampleRate : 0.0; }
};

/// Decoded mono audio.
struct AudioBuffer {
    int sampleRate = 0;
    std::vector<float> samples;
    double durationSeconds() const { return sampleRate > 0 ? double(samples.size()) / sampleRate : 0.0; }
};

struct DecodeOptions {
    int targetSampleRate = 0;   ///< 0 keeps the file's rate; otherwise resampled (best-quality sinc)
    double startSeconds = 0.0;  ///< decode from here
    double maxSeconds = 0.0;    ///< 0 = to the end
    ResampleQuality quality = ResampleQuality::Best; ///< converter used when resampling
};

/// Reads a file's header. Errors name the file and the reason.
Result<AudioInfo> probeAudio(const std::filesystem::path& path);

/// Decodes any format libsndfile reads to float32 mono (mean of the channels), streaming by
/// blocks and resampling on the fly when `targetSampleRate` differs from the file's rate.
/// Reports progress ("decode") and honours cancellation between blocks. Bad input (missing,
/// directory, empty, truncated, unsupported, zero channels, absurd rate, NaN/Inf samples)
/// returns an Error naming the file and the reason.
// NOTE: a truncated file (fewer frames than its header announces) is an error, not partial
// audio: tagging a silently shortened track would give results the user cannot trust. MP3 is
// the exception up to a 1% shortfall, because its frame count may be an estimate.
Result<AudioBuffer> decodeAudio(const std::filesystem::path& path, const DecodeOptions& options = {},
                                const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

/// Resamples a whole mono signal with libsamplerate's best-quality sinc converter.
Result<std::vector<float>> resample(std::span<const float> input, int fromRate, int toRate);

} // namespace tagscope::audio
