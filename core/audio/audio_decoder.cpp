// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/audio/audio_decoder.h"

#include <exception>
#include <new>
#include <string>

#include "core/audio/audio_stream.h"
#include "core/audio/resampler.h"

namespace tagscope::audio {

Result<AudioInfo> probeAudio(const std::filesystem::path& path) try {
    auto stream = AudioStream::open(path);
    if (!stream) return fail(stream.error());
    return stream->fileInfo();
} catch (const std::exception& e) {
    return fail(Error::Kind::Internal, path, std::string("reading the audio header failed unexpectedly: ") + e.what());
}

Result<AudioBuffer> decodeAudio(const std::filesystem::path& path, const DecodeOptions& options,
                                const ProgressFn& progress, const CancelToken* cancel) {
    // NOTE: the boundary of the decoder: nothing thrown inside (out of memory for a very long
    // track, a library's exception) leaves it.
    try {
        ThrottledProgress report(progress);
        auto stream = AudioStream::open(path, options);
        if (!stream) return fail(stream.error());
        AudioBuffer out;
        out.sampleRate = stream->sampleRate();
        // NOTE: the slack keeps a converter's last few samples from reallocating (and briefly
        // doubling) the whole buffer.
        if (stream->expectedFrames() > 0) out.samples.reserve(size_t(stream->expectedFrames()) + 256);
        std::vector<float> block;
        report(0.0, "decode");
        for (;;) {
            auto more = stream->next(block, cancel);
            if (!more) return fail(more.error());
            out.samples.insert(out.samples.end(), block.begin(), block.end());
            if (!*more) break;
            report(stream->fraction(), "decode");
        }
        report(1.0, "decode");
        return out;
    } catch (const std::bad_alloc&) {
        return fail(Error::Kind::InvalidInput, path, "not enough memory to decode this audio (is it extremely long?)");
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, path, std::string("decoding failed unexpectedly: ") + e.what());
    }
}

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
