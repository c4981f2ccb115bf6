// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/audio/audio_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <new>
#include <memory>
#include <optional>
#include <system_error>

#include <sndfile.h>

#include "core/audio/audio_checks.h"
#include "core/audio/resampler.h"
#include "core/dsp/sinc_resampler.h"

namespace tagscope::audio {
namespace {

using detail::checkHeaderAgainstLog;
using detail::checkStreamParameters;
using detail::describeOpenError;

// NOTE: samples (not frames) per read block, so a many-channel file does not make the block
// huge; 2 x 64k = 64k stereo frames.
constexpr int64_t kBlockSamples = 2 * 65536;
// NOTE: MP3 headers may only estimate the frame count (VBR without a Xing/Info header), so a
// small shortfall there is not a sign of damage. Every other format must deliver every frame.
constexpr double kMpegShortfallTolerance = 0.01;

struct SndFileCloser {
    void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndFilePtr = std::unique_ptr<SNDFILE, SndFileCloser>;

struct OpenedFile {
    SndFilePtr file;
    SF_INFO info{};
};

std::string logOf(SNDFILE* file) {
    std::string log(8192, '\0');
    sf_command(file, SFC_GET_LOG_INFO, log.data(), int(log.size()));
    log.resize(log.find('\0') == std::string::npos ? log.size() : log.find('\0'));
    return log;
}

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

bool knownLength(const SF_INFO& info) { return info.frames > 0 && info.frames < SF_COUNT_MAX / 2; }

Result<OpenedFile> openAudio(const std::filesystem::path& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        return fail(Error::Kind::NotFound, path, "file not found");
    }
    if (std::filesystem::is_directory(status)) {
        return fail(Error::Kind::InvalidInput, path, "is a folder, not an audio file");
    }
    if (!std::filesystem::is_regular_file(status)) {
        return fail(Error::Kind::InvalidInput, path, "is not a regular file");
    }
    if (std::filesystem::file_size(path, ec) == 0 && !ec) {
        return fail(Error::Kind::InvalidInput, path, "file is empty (0 bytes)");
    }
    OpenedFile opened;
    opened.file.reset(sf_open(path.c_str(), SFM_READ, &opened.info));
    // NOTE: libsndfile keeps the error of a failed sf_open in a process-wide variable; two
    // threads failing at the same moment could swap reasons, never crash.
    if (!opened.file) return fail(describeOpenError(path, sf_error(nullptr), sf_strerror(nullptr)));
    if (auto ok = checkStreamParameters(path, opened.info.channels, opened.info.samplerate,
                                        opened.info.frames);
        !ok) {
        return fail(ok.error());
    }
    if (auto ok = checkHeaderAgainstLog(path, logOf(opened.file.get()), opened.info.frames,
                                        opened.info.samplerate);
        !ok) {
        return fail(ok.error());
    }
    // NOTE: libsndfile finds an Ogg file's length from its last page; when it cannot, the end
    // of the stream is missing (a cut download or copy), so this is treated like truncation.
    if ((opened.info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG && !knownLength(opened.info)) {
        return fail(Error::Kind::InvalidInput, path,
                    "file is truncated or damaged: the end of the Ogg stream is missing");
    }
    return opened;
}

std::string formatName(int format) {
    auto name = [](int f) -> SF_FORMAT_INFO {
        SF_FORMAT_INFO info{};
        info.format = f;
        sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof info);
        return info;
    };
    const SF_FORMAT_INFO major = name(format & SF_FORMAT_TYPEMASK);
    const SF_FORMAT_INFO sub = name(format & SF_FORMAT_SUBMASK);
    // NOTE: the first word of libsndfile's container name ("OGG (OGG Container format)",
    // "WAV (Microsoft)"); its extension would say "oga" for Ogg.
    std::string container = major.name ? major.name : "unknown";
    container = container.substr(0, container.find(' '));
    return container + " (" + (sub.name ? sub.name : "unknown encoding") + ")";
}

// Validates the options against the file; returns the first frame to decode.
Result<int64_t> startFrameFor(const std::filesystem::path& path, const SF_INFO& info,
                              const DecodeOptions& options) {
    if (!std::isfinite(options.startSeconds) || options.startSeconds < 0.0) {
        return fail(Error::Kind::InvalidInput, path, "the start time must be zero or positive");
    }
    if (!std::isfinite(options.maxSeconds) || options.maxSeconds < 0.0) {
        return fail(Error::Kind::InvalidInput, path, "the maximum duration must be zero or positive");
    }
    if (options.targetSampleRate != 0 && !isPlausibleSampleRate(options.targetSampleRate)) {
        return fail(Error::Kind::InvalidInput, path,
                    "cannot decode to " + std::to_string(options.targetSampleRate) +
                        " Hz: the rate must be between " + std::to_string(kMinSampleRate) + " and " +
                        std::to_string(kMaxSampleRate) + " Hz");
    }
    const auto start = static_cast<int64_t>(std::llround(options.startSeconds * info.samplerate));
    if (knownLength(info) && start >= info.frames) {
        return fail(Error::Kind::InvalidInput, path,
                    "start time " + seconds(options.startSeconds) + " is at or past the end of the audio (" +
                        seconds(double(info.frames) / info.samplerate) + ")");
    }
    return start;
}

// Moves to `start`: sf_seek when the file allows it, otherwise reads and discards.
Result<void> seekTo(const std::filesystem::path& path, SNDFILE* file, const SF_INFO& info, int64_t start) {
    if (start == 0) return {};
    if (info.seekable) {
        if (sf_seek(file, start, SEEK_SET) == start) return {};
        return fail(Error::Kind::InvalidInput, path,
                    "cannot seek to the start time (" + std::string(sf_strerror(file)) + ")");
    }
    std::vector<float> discard(static_cast<size_t>(4096) * info.channels);
    int64_t left = start;
    while (left > 0) {
        const sf_count_t got = sf_readf_float(file, discard.data(), std::min<int64_t>(left, 4096));
        if (got <= 0) return fail(Error::Kind::InvalidInput, path, "cannot seek to the start time");
        left -= got;
    }
    return {};
}

// Averages interleaved frames into mono.
void downmix(const std::vector<float>& interleaved, int64_t frames, int channels, std::vector<float>& mono) {
    mono.resize(static_cast<size_t>(frames));
    if (channels == 1) {
        std::copy_n(interleaved.begin(), frames, mono.begin());
        return;
    }
    const float scale = 1.0f / float(channels);
    for (int64_t i = 0; i < frames; ++i) {
        const float* frame = interleaved.data() + i * channels;
        float sum = 0.0f;
        for (int c = 0; c < channels; ++c) sum += frame[c];
        mono[static_cast<size_t>(i)] = sum * scale;
    }
}

// Counts non-finite values; remembers the frame of the first one.
struct NonFiniteScan {
    int64_t count = 0;
    int64_t firstFrame = -1;

    void scan(const std::vector<float>& interleaved, int64_t frames, int channels, int64_t frameOffset) {
        for (int64_t i = 0; i < frames * channels; ++i) {
            if (std::isfinite(interleaved[static_cast<size_t>(i)])) continue;
            if (firstFrame < 0) firstFrame = frameOffset + i / channels;
            ++count;
        }
    }
};

// NOTE: the most frames a file of this size can plausibly decode to. Lossless and lossy codecs
// spend well over 1/64 byte per sample on real music; only silence compresses further, and
// silence beyond this bound just grows the buffer as it is decoded instead of up front.
constexpr int64_t kMaxFramesPerFileByte = 64;
int64_t plausibleFrames(const std::filesystem::path& path, int channels) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (ec || channels <= 0) return 0;
    const auto limit = uintmax_t(INT64_MAX / kMaxFramesPerFileByte);
    return int64_t(std::min(bytes, limit)) * kMaxFramesPerFileByte / channels;
}

Result<AudioBuffer> decodeStream(const std::filesystem::path& path, const DecodeOptions& options,
                                 const ProgressFn& progress, const CancelToken* cancel);

} // namespace

Result<AudioInfo> probeAudio(const std::filesystem::path& path) try {
    auto opened = openAudio(path);
    if (!opened) return fail(opened.error());
    AudioInfo info;
    info.sampleRate = opened->info.samplerate;
    info.channels = opened->info.channels;
    info.frames = knownLength(opened->info) ? opened->info.frames : 0;
    info.format = formatName(opened->info.format);
    return info;
} catch (const std::exception& e) {
    return fail(Error::Kind::Internal, path, std::string("reading the audio header failed unexpectedly: ") + e.what());
}

Result<AudioBuffer> decodeAudio(const std::filesystem::path& path, const DecodeOptions& options,
                                const ProgressFn& progress, const CancelToken* cancel) {
    // NOTE: the boundary of the decoder: nothing thrown inside (out of memory for a very long
    // track, a library's exception) leaves it.
    try {
        return decodeStream(path, options, progress, cancel);
    } catch (const std::bad_alloc&) {
        return fail(Error::Kind::InvalidInput, path, "not enough memory to decode this audio (is it extremely long?)");
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, path, std::string("decoding failed unexpectedly: ") + e.what());
    }
}

namespace {

Result<AudioBuffer> decodeStream(const std::filesystem::path& path, const DecodeOptions& options,
                                 const ProgressFn& progress, const CancelToken* cancel) {
    ThrottledProgress report(progress);
    auto opened = openAudio(path);
    if (!opened) return fail(opened.error());
    const SF_INFO& info = opened->info;
    SNDFILE* file = opened->file.get();
    const int rate = info.samplerate;
    const int channels = info.channels;

    auto start = startFrameFor(path, info, options);
    if (!start) return fail(start.error());
    // -1 = read to the end of a stream of unknown length.
    int64_t wanted = knownLength(info) ? info.frames - *start : -1;
    if (options.maxSeconds > 0.0) {
        const auto limit = std::max<int64_t>(1, std::llround(options.maxSeconds * rate));
        wanted = wanted < 0 ? limit : std::min(wanted, limit);
    }
    if (auto sought = seekTo(path, file, info, *start); !sought) return fail(sought.error());

    const int outRate = options.targetSampleRate > 0 ? options.targetSampleRate : rate;
    std::optional<Resampler> resampler;
    const bool sincAfterDecode = outRate != rate && options.quality == ResampleQuality::Torchaudio;
    if (outRate != rate && !sincAfterDecode) {
        auto created = Resampler::create(rate, outRate, options.quality);
        if (!created) return fail(Error::make(Error::Kind::InvalidInput, path, created.error().message));
        resampler.emplace(std::move(*created));
    }

    AudioBuffer out;
    out.sampleRate = outRate;
    // NOTE: the converter may emit a few samples more than the final length before it is
    // trimmed; the slack keeps that from reallocating (and briefly doubling) the whole buffer.
    // The header's frame count is only trusted as far as the file's size makes it plausible: a
    // 3-second FLAC claiming 2^36 samples gets a small reservation, then grows with what it
    // really holds (and is reported as truncated).
    constexpr int64_t kReserveSlack = 256;
    const int64_t reserveFrames = std::min(wanted, plausibleFrames(path, channels));
    if (reserveFrames > 0) {
        out.samples.reserve(static_cast<size_t>(Resampler::outputLength(reserveFrames, rate, outRate) + kReserveSlack));
    }

    const int64_t blockFrames = std::max<int64_t>(1024, kBlockSamples / channels);
    std::vector<float> interleaved(static_cast<size_t>(blockFrames * channels));
    std::vector<float> mono;
    NonFiniteScan nonFinite;
    int64_t read = 0;
    report(0.0, "decode");
    while (wanted < 0 || read < wanted) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const int64_t ask = wanted < 0 ? blockFrames : std::min(blockFrames, wanted - read);
        const sf_count_t got = sf_readf_float(file, interleaved.data(), ask);
        if (got <= 0) break;
        nonFinite.scan(interleaved, got, channels, *start + read);
        read += got;
        if (wanted > 0) report(double(read) / double(wanted), "decode");
        // NOTE: once a non-finite sample is seen the result is an error; keep reading only to
        // count them all, without converting.
        if (nonFinite.count > 0) continue;
        downmix(interleaved, got, channels, mono);
        if (resampler) {
            if (auto ok = resampler->process(mono, out.samples); !ok) {
                return fail(Error::make(Error::Kind::Internal, path, ok.error().message));
            }
        } else {
            out.samples.insert(out.samples.end(), mono.begin(), mono.end());
        }
    }
    if (isCancelled(cancel)) return fail(Error::cancelled());

    const std::string decoderNote =
        sf_error(file) != SF_ERR_NO_ERROR ? std::string(" (") + sf_strerror(file) + ")" : std::string();
    const bool mpeg = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG;
    if (wanted > 0 && read < wanted &&
        (!mpeg || double(wanted - read) > kMpegShortfallTolerance * double(wanted))) {
        return fail(Error::Kind::InvalidInput, path,
                    "file is truncated or damaged: read " + std::to_string(read) + " of " +
                        std::to_string(wanted) + " frames (the audio stops at " +
                        seconds(double(*start + read) / rate) + " instead of " +
                        seconds(double(*start + wanted) / rate) + ")" + decoderNote);
    }
    if (!decoderNote.empty()) {
        return fail(Error::Kind::InvalidInput, path,
                    "the audio data is damaged after " + seconds(double(*start + read) / rate) + decoderNote);
    }
    if (nonFinite.count > 0) {
        return fail(Error::Kind::InvalidInput, path,
                    std::to_string(nonFinite.count) + " sample" + (nonFinite.count == 1 ? " is" : "s are") +
                        " not a number or infinite (the first at " +
                        seconds(double(nonFinite.firstFrame) / rate) + ")");
    }
    if (read == 0) return fail(Error::Kind::InvalidInput, path, "contains no audio (0 frames)");

    if (resampler) {
        if (auto ok = resampler->finish(out.samples); !ok) {
            return fail(Error::make(Error::Kind::Internal, path, ok.error().message));
        }
        out.samples.resize(static_cast<size_t>(Resampler::outputLength(read, rate, outRate)), 0.0f);
    }
    if (sincAfterDecode) {
        auto sinc = dsp::SincResampler::create(rate, outRate);
        if (!sinc) return fail(Error::make(Error::Kind::InvalidInput, path, sinc.error().message));
        out.samples = sinc->process(out.samples);
    }
    report(1.0, "decode");
    return out;
}

} // namespace

Result<std::vector<float>> resample(std::span<const float> input, int fromRate, int toRate) {
    if (fromRate == toRate && fromRate > 0) return std::vector<float>(input.begin(), input.end());
    auto resampler = Resampler::create(fromRate, toRate);
    if (!resampler) return fail(resampler.error());
    std::vector<float> out;
    out.reserve(static_cast<size_t>(Resampler::outputLength(int64_t(input.size()), fromRate, toRate) + 256));
    if (auto ok = resampler->process(input, out); !ok) return fail(ok.error());
    if (auto ok = resampler->finish(out); !ok) return fail(ok.error());
    out.resize(static_cast<size_t>(Resampler::outputLength(int64_t(input.size()), fromRate, toRate)), 0.0f);
    return out;
}

} // namespace tagscope::audio
