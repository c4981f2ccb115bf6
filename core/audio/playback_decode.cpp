// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/audio/playback_decode.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include <sndfile.h>

#include "core/audio/audio_checks.h"
#include "core/audio/audio_decoder.h"

namespace tagscope::audio {

namespace {

struct SndFileCloser {
    void operator()(SNDFILE* file) const { sf_close(file); }
};

constexpr int64_t kBlockFrames = 16384;

} // namespace

Result<PlaybackAudio> decodeForPlayback(const std::filesystem::path& path, const ProgressFn& progress,
                                        const CancelToken* cancel) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return fail(Error::Kind::NotFound, path, "file not found");
    if (std::filesystem::file_size(path, ec) == 0 && !ec)
        return fail(Error::Kind::InvalidInput, path, "file is empty (0 bytes)");
    SF_INFO info{};
    std::unique_ptr<SNDFILE, SndFileCloser> file(sf_open(path.c_str(), SFM_READ, &info));
    if (!file) return fail(detail::describeOpenError(path, sf_error(nullptr), sf_strerror(nullptr)));
    if (auto ok = detail::checkStreamParameters(path, info.channels, info.samplerate, info.frames); !ok)
        return fail(ok.error());
    PlaybackAudio out;
    out.sampleRate = info.samplerate;
    out.channels = info.channels;
    const bool known = info.frames > 0 && info.frames < SF_COUNT_MAX / 2;
    if (known) out.samples.reserve(size_t(info.frames) * size_t(info.channels));
    std::vector<float> block(size_t(kBlockFrames) * size_t(info.channels));
    int64_t read = 0;
    if (progress) progress(0.0, "decode for playback");
    for (;;) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        const sf_count_t got = sf_readf_float(file.get(), block.data(), kBlockFrames);
        if (got <= 0) break;
        const size_t n = size_t(got) * size_t(info.channels);
        for (size_t i = 0; i < n; ++i) out.samples.push_back(std::isfinite(block[i]) ? block[i] : 0.0f);
        read += got;
        if (progress && known) progress(std::min(1.0, double(read) / double(info.frames)), "decode for playback");
    }
    if (read == 0) return fail(Error::Kind::InvalidInput, path, "contains no audio (0 frames)");
    if (progress) progress(1.0, "decode for playback");
    return out;
}

PlaybackAudio remixChannels(const PlaybackAudio& audio, int channels) {
    if (channels <= 0 || audio.channels <= 0 || channels == audio.channels) return audio;
    PlaybackAudio out;
    out.sampleRate = audio.sampleRate;
    out.channels = channels;
    const int64_t frames = audio.frames();
    out.samples.resize(size_t(frames) * size_t(channels));
    const int in = audio.channels;
    for (int64_t f = 0; f < frames; ++f) {
        const float* src = audio.samples.data() + f * in;
        float* dst = out.samples.data() + f * channels;
        if (channels == 1) {
            float sum = 0.0f;
            for (int c = 0; c < in; ++c) sum += src[c];
            dst[0] = sum / float(in);
        } else {
            for (int c = 0; c < channels; ++c) dst[c] = src[std::min(c, in - 1)];
        }
    }
    return out;
}

Result<PlaybackAudio> resamplePlayback(const PlaybackAudio& audio, int sampleRate) {
    if (audio.sampleRate == sampleRate) return audio;
    if (!isPlausibleSampleRate(audio.sampleRate) || !isPlausibleSampleRate(sampleRate) || audio.channels <= 0)
        return fail(Error::Kind::InvalidInput, {}, "cannot resample audio from " + std::to_string(audio.sampleRate) +
                                                       " Hz to " + std::to_string(sampleRate) + " Hz");
    PlaybackAudio out;
    out.sampleRate = sampleRate;
    out.channels = audio.channels;
    const int64_t frames = audio.frames();
    std::vector<float> channel(static_cast<size_t>(frames), 0.0f);
    for (int c = 0; c < audio.channels; ++c) {
        for (int64_t f = 0; f < frames; ++f) channel[size_t(f)] = audio.samples[size_t(f * audio.channels + c)];
        auto converted = resample(channel, audio.sampleRate, sampleRate);
        if (!converted) return fail(converted.error());
        if (c == 0) out.samples.assign(converted->size() * size_t(audio.channels), 0.0f);
        const size_t n = std::min(converted->size(), out.samples.size() / size_t(audio.channels));
        for (size_t f = 0; f < n; ++f) out.samples[f * size_t(audio.channels) + size_t(c)] = (*converted)[f];
    }
    return out;
}

} // namespace tagscope::audio
