// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/audio/audio_checks.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <regex>

#include <sndfile.h>

namespace tagscope::audio::detail {
namespace {

// NOTE: streaming writers put these placeholders in a size field when the length is unknown;
// they do not mean the file was cut.
bool isPlaceholderSize(int64_t size) { return size == 0xFFFFFFFFLL || size == 0x7FFFFFFFLL || size == 0; }

// NOTE: a data chunk may legitimately be a pad byte or a partial sample longer than what is
// present; more than this many missing bytes means audio is missing.
constexpr int64_t kPaddingSlackBytes = 8;

// Digits matched by the log's regexes; a number too long for int64 saturates instead of throwing
// (std::stoll would), since a crafted header can print any 64-bit value.
int64_t toCount(const std::string& digits) {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc::result_out_of_range) return INT64_MAX;
    return ec == std::errc() ? v : 0;
}

Error truncated(const std::filesystem::path& path, double presentSeconds, double claimedSeconds) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "file is truncated: its header announces %.2f s of audio but only %.2f s are present",
                  claimedSeconds, presentSeconds);
    return Error::make(Error::Kind::InvalidInput, path, buf);
}

} // namespace

Error describeOpenError(const std::filesystem::path& path, int sndfileError, const std::string& sndfileMessage) {
    switch (sndfileError) {
    case SF_ERR_UNRECOGNISED_FORMAT:
        return Error::make(Error::Kind::InvalidInput, path,
                           "not in an audio format Tagscope can read (it reads WAV, FLAC, Ogg Vorbis, Opus, "
                           "MP3, AIFF and the other formats of libsndfile, but not AAC/M4A or video files)");
    case SF_ERR_MALFORMED_FILE:
        return Error::make(Error::Kind::InvalidInput, path,
                           "the audio file is damaged or truncated (" + sndfileMessage + ")");
    case SF_ERR_UNSUPPORTED_ENCODING:
        return Error::make(Error::Kind::InvalidInput, path,
                           "the audio is encoded in a way Tagscope cannot decode (" + sndfileMessage + ")");
    case SF_ERR_SYSTEM:
        return Error::make(Error::Kind::Io, path, "cannot open the file (" + sndfileMessage + ")");
    default:
        return Error::make(Error::Kind::InvalidInput, path, "cannot read the audio (" + sndfileMessage + ")");
    }
}

Result<void> checkStreamParameters(const std::filesystem::path& path, int channels, int sampleRate, int64_t frames) {
    if (channels <= 0) {
        return fail(Error::Kind::InvalidInput, path, "the file declares no audio channels");
    }
    if (!isPlausibleSampleRate(sampleRate)) {
        return fail(Error::Kind::InvalidInput, path,
                    "sample rate of " + std::to_string(sampleRate) + " Hz is outside the supported range (" +
                        std::to_string(kMinSampleRate) + " to " + std::to_string(kMaxSampleRate) + " Hz)");
    }
    if (frames == 0) return fail(Error::Kind::InvalidInput, path, "contains no audio (0 frames)");
    return {};
}

Result<void> checkHeaderAgainstLog(const std::filesystem::path& path, const std::string& log, int64_t frames,
                                   int sampleRate) {
    if (sampleRate <= 0) return {};
    const double present = double(frames) / sampleRate;
    // WAV "data : 176400 (should be 99956)", AIFF "SSND : 176408 (should be 99954)".
    static const std::regex chunk(R"((?:^|\n)\s*(data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\))");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), chunk); it != std::sregex_iterator(); ++it) {
        const int64_t claimed = toCount((*it)[2]);
        const int64_t actual = toCount((*it)[3]);
        if (isPlaceholderSize(claimed) || claimed - actual <= kPaddingSlackBytes || actual <= 0) continue;
        return fail(truncated(path, present, present * double(claimed) / double(actual)));
    }
    // RF64 "*** Calculated frame count 24974 does not match value from 'ds64' chunk of 44100."
    static const std::regex count(R"(Calculated frame count (\d+) does not match value from '\w+' chunk of (\d+))");
    if (std::smatch m; std::regex_search(log, m, count)) {
        const int64_t actual = toCount(m[1]);
        const int64_t claimed = toCount(m[2]);
        if (claimed > actual) return fail(truncated(path, present, double(claimed) / sampleRate));
    }
    return {};
}

} // namespace tagscope::audio::detail
