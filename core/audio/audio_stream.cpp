// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/audio/audio_stream.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <new>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include <sndfile.h>

#include "core/audio/audio_checks.h"
#include "core/audio/resampler.h"
#include "core/dsp/sinc_stream.h"

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
// NOTE: an Ogg Vorbis stream whose granule positions start below zero (encoders that trim the
// start write it so; Debian's hyperrogue-music has such files) is counted by libsndfile as up
// to a block longer than it decodes, with every page present. A shortfall within one Vorbis
// block (at most 8192 frames) is that; a cut stream is caught by its missing last page.
constexpr int64_t kOggShortfallFrames = 8192;

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

// Error for non-finite samples (NaN / Inf), naming the first.
Error nonFiniteError(const std::filesystem::path& path, const NonFiniteScan& scan, int rate) {
    return Error::make(Error::Kind::InvalidInput, path,
                       std::to_string(scan.count) + " sample" + (scan.count == 1 ? " is" : "s are") +
                           " not a number or infinite (the first at " + seconds(double(scan.firstFrame) / rate) + ")");
}

} // namespace

struct AudioStream::State {
    std::filesystem::path path;
    OpenedFile opened;
    AudioInfo fileInfo;
    int outRate = 0;
    int64_t start = 0;
    int64_t wanted = -1;  ///< frames to read; -1 = to the end of a stream of unknown length
    int64_t read = 0;
    int64_t blockFrames = 0;
    int64_t expected = 0;
    std::optional<Resampler> converter;   ///< libsamplerate (Best / Medium / Fastest)
    std::optional<dsp::SincStream> sinc;  ///< torchaudio's sinc
    int64_t emitted = 0;                  ///< samples given out (libsamplerate path)
    std::vector<float> pending;           ///< converter output beyond the length so far
    std::vector<float> interleaved, mono, converted;
    NonFiniteScan nonFinite;
    bool ended = false;

    SNDFILE* file() const { return opened.file.get(); }
    int rate() const { return opened.info.samplerate; }
    int channels() const { return opened.info.channels; }

    /// Gives out converter samples up to ceil(read * ratio), as decodeAudio's final length.
    void giveConverted(std::vector<float>& block) {
        pending.insert(pending.end(), converted.begin(), converted.end());
        converted.clear();
        const int64_t limit = Resampler::outputLength(read, rate(), outRate);
        const auto take = size_t(std::clamp<int64_t>(limit - emitted, 0, int64_t(pending.size())));
        block.insert(block.end(), pending.begin(), pending.begin() + std::ptrdiff_t(take));
        pending.erase(pending.begin(), pending.begin() + std::ptrdiff_t(take));
        emitted += int64_t(take);
    }

    Result<void> convert(std::vector<float>& block) {
        if (sinc) {
            sinc->push(mono, block);
        } else if (converter) {
            if (auto ok = converter->process(mono, converted); !ok)
                return fail(Error::make(Error::Kind::Internal, path, ok.error().message));
            giveConverted(block);
        } else {
            block.insert(block.end(), mono.begin(), mono.end());
        }
        return {};
    }

    /// The checks that need the whole file, then the converter's tail.
    Result<void> end(std::vector<float>& block) {
        const std::string decoderNote =
            sf_error(file()) != SF_ERR_NO_ERROR ? std::string(" (") + sf_strerror(file()) + ")" : std::string();
        const int type = opened.info.format & SF_FORMAT_TYPEMASK;
        const bool tolerated = (type == SF_FORMAT_MPEG && double(wanted - read) <= kMpegShortfallTolerance * double(wanted)) ||
                               (type == SF_FORMAT_OGG && wanted - read <= kOggShortfallFrames);
        if (wanted > 0 && read < wanted && !tolerated) {
            return fail(Error::Kind::InvalidInput, path,
                        "file is truncated or damaged: read " + std::to_string(read) + " of " +
                            std::to_string(wanted) + " frames (the audio stops at " +
                            seconds(double(start + read) / rate()) + " instead of " +
                            seconds(double(start + wanted) / rate()) +
                            // NOTE: a shortfall under 10 ms prints the same two times: say it.
                            (double(wanted - read) / rate() < 0.01
                                 ? ", " + std::to_string(wanted - read) + " frames short"
                                 : std::string()) +
                            ")" + decoderNote);
        }
        if (!decoderNote.empty()) {
            return fail(Error::Kind::InvalidInput, path,
                        "the audio data is damaged after " + seconds(double(start + read) / rate()) + decoderNote);
        }
        if (nonFinite.count > 0) return fail(nonFiniteError(path, nonFinite, rate()));
        if (read == 0) return fail(Error::Kind::InvalidInput, path, "contains no audio (0 frames)");
        if (sinc) sinc->finish(block);
        if (converter) {
            if (auto ok = converter->finish(converted); !ok)
                return fail(Error::make(Error::Kind::Internal, path, ok.error().message));
            giveConverted(block);
            const int64_t total = Resampler::outputLength(read, rate(), outRate);
            if (emitted < total) block.resize(block.size() + size_t(total - emitted), 0.0f);
            emitted = total;
        }
        return {};
    }

    /// Reads the next block of file frames; 0 at the end.
    int64_t readBlock() {
        if (wanted >= 0 && read >= wanted) return 0;
        const int64_t ask = wanted < 0 ? blockFrames : std::min(blockFrames, wanted - read);
        const sf_count_t got = sf_readf_float(file(), interleaved.data(), ask);
        if (got <= 0) return 0;
        nonFinite.scan(interleaved, got, channels(), start + read);
        read += got;
        return got;
    }
};

AudioStream::AudioStream(std::unique_ptr<State> state) : m_state(std::move(state)) {}
AudioStream::AudioStream(AudioStream&&) noexcept = default;
AudioStream& AudioStream::operator=(AudioStream&&) noexcept = default;
AudioStream::~AudioStream() = default;

Result<AudioStream> AudioStream::open(const std::filesystem::path& path, const DecodeOptions& options,
                                      int64_t blockFrames) {
    auto opened = openAudio(path);
    if (!opened) return fail(opened.error());
    auto s = std::make_unique<State>();
    s->path = path;
    s->opened = std::move(*opened);
    const SF_INFO& info = s->opened.info;
    s->fileInfo.sampleRate = info.samplerate;
    s->fileInfo.channels = info.channels;
    s->fileInfo.frames = knownLength(info) ? info.frames : 0;
    s->fileInfo.format = formatName(info.format);

    auto start = startFrameFor(path, info, options);
    if (!start) return fail(start.error());
    s->start = *start;
    s->wanted = knownLength(info) ? info.frames - *start : -1;
    if (options.maxSeconds > 0.0) {
        const auto limit = std::max<int64_t>(1, std::llround(options.maxSeconds * info.samplerate));
        s->wanted = s->wanted < 0 ? limit : std::min(s->wanted, limit);
    }
    if (auto sought = seekTo(path, s->file(), info, *start); !sought) return fail(sought.error());

    const int rate = info.samplerate;
    s->outRate = options.targetSampleRate > 0 ? options.targetSampleRate : rate;
    if (s->outRate != rate && options.quality == ResampleQuality::Torchaudio) {
        auto kernel = dsp::SincResampler::create(rate, s->outRate);
        if (!kernel) return fail(Error::make(Error::Kind::InvalidInput, path, kernel.error().message));
        s->sinc.emplace(std::move(*kernel));
    } else if (s->outRate != rate) {
        auto created = Resampler::create(rate, s->outRate, options.quality);
        if (!created) return fail(Error::make(Error::Kind::InvalidInput, path, created.error().message));
        s->converter.emplace(std::move(*created));
    }
    // NOTE: the header's frame count is only trusted as far as the file's size makes it
    // plausible: a 3-second FLAC claiming 2^36 samples gets a small reservation.
    const int64_t frames = std::min(s->wanted, plausibleFrames(path, info.channels));
    s->expected = frames > 0 ? Resampler::outputLength(frames, rate, s->outRate) : 0;
    s->blockFrames = blockFrames > 0 ? std::max<int64_t>(64, blockFrames)
                                     : std::max<int64_t>(1024, kBlockSamples / info.channels);
    s->interleaved.resize(size_t(s->blockFrames * info.channels));
    return AudioStream(std::move(s));
}

const AudioInfo& AudioStream::fileInfo() const { return m_state->fileInfo; }
int AudioStream::sampleRate() const { return m_state->outRate; }
int64_t AudioStream::expectedFrames() const { return m_state->expected; }
double AudioStream::fraction() const {
    const State& s = *m_state;
    if (s.ended) return 1.0;
    return s.wanted > 0 ? std::min(1.0, double(s.read) / double(s.wanted)) : 0.0;
}

Result<bool> AudioStream::next(std::vector<float>& block, const CancelToken* cancel) {
    State& s = *m_state;
    block.clear();
    if (s.ended) return false;
    if (isCancelled(cancel)) return fail(Error::cancelled());
    if (const int64_t got = s.readBlock(); got > 0) {
        if (s.nonFinite.count == 0) {
            downmix(s.interleaved, got, s.channels(), s.mono);
            if (auto ok = s.convert(block); !ok) return fail(ok.error());
            return true;
        }
        // NOTE: once a non-finite sample is seen the result is an error; read on only to count
        // them all (and to notice truncation first), without converting.
        while (s.readBlock() > 0) {
            if (isCancelled(cancel)) return fail(Error::cancelled());
        }
    }
    s.ended = true;
    if (auto ok = s.end(block); !ok) return fail(ok.error());
    return false;
}

} // namespace tagscope::audio
