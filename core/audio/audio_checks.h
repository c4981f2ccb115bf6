// SPDX-License-Identifier: GPL-3.0-or-later
// Rules that decide whether an opened audio stream is usable, kept free of libsndfile types so
// they can be tested directly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/common/error.h"

namespace tagscope::audio {

/// Lowest sample rate Tagscope accepts, in Hz (below it no music survives).
inline constexpr int kMinSampleRate = 1000;
/// Highest sample rate Tagscope accepts, in Hz (above any real recording format).
inline constexpr int kMaxSampleRate = 768000;

/// True for rates within [kMinSampleRate, kMaxSampleRate].
constexpr bool isPlausibleSampleRate(int rate) { return rate >= kMinSampleRate && rate <= kMaxSampleRate; }

namespace detail {

/// Turns a failed sf_open (libsndfile error code and text) into a user-facing Error.
Error describeOpenError(const std::filesystem::path& path, int sndfileError, const std::string& sndfileMessage);

/// Rejects zero channels, implausible sample rates and streams that hold no frames.
Result<void> checkStreamParameters(const std::filesystem::path& path, int channels, int sampleRate, int64_t frames);

/// libsndfile silently shortens a WAV/AIFF whose data chunk claims more bytes than the file
/// holds and notes it in its log ("data : 176400 (should be 99956)"). This turns such a note
/// into a "file is truncated" Error; `frames` and `sampleRate` are what libsndfile reports.
Result<void> checkHeaderAgainstLog(const std::filesystem::path& path, const std::string& log, int64_t frames,
                                   int sampleRate);

} // namespace detail
} // namespace tagscope::audio
