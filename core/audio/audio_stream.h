// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/audio/audio_decoder.h"
#include "core/common/error.h"
#include "core/common/progress.h"

namespace tagscope::audio {

/// An audio file decoded block by block: mono float32 (mean of the channels), resampled on the
/// fly when DecodeOptions::targetSampleRate differs from the file's rate (ResampleQuality::
/// Torchaudio through dsp::SincStream, the others through libsamplerate's streaming
/// converter). The concatenated blocks are exactly what decodeAudio returns for the same file
/// and options (decodeAudio is built on this class), and the same errors are reported; only a
/// block and the converter's filter are held in memory. Errors that need the whole file
/// (truncation, non-finite samples, a damaged stream) come from the call that reaches the end.
/// One thread at a time.
class AudioStream {
public:
    /// Opens `path` and checks its header and `options` (errors name the file and the reason).
    /// `blockFrames`: file frames per read (0 = 128k samples across the channels).
    static Result<AudioStream> open(const std::filesystem::path& path, const DecodeOptions& options = {},
                                    int64_t blockFrames = 0);

    AudioStream(AudioStream&&) noexcept;
    AudioStream& operator=(AudioStream&&) noexcept;
    ~AudioStream();

    /// The file's own rate, channels, length and format.
    const AudioInfo& fileInfo() const;
    /// Rate of the decoded blocks.
    int sampleRate() const;
    /// Frames the decoded signal should have (from the header; 0 when unknown), at most what
    /// the file's size makes plausible: a hint for reserving memory.
    int64_t expectedFrames() const;
    /// Fraction of the file read so far (0 when the length is unknown).
    double fraction() const;

    /// Replaces `block` with the next decoded samples (possibly none while the converter fills
    /// its filter). Returns true while more may follow, false once the stream has ended and
    /// every check passed (`block` then holds the last samples). Cancelled when `cancel` is set.
    Result<bool> next(std::vector<float>& block, const CancelToken* cancel = nullptr);

private:
    struct State;
    explicit AudioStream(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

} // namespace tagscope::audio
