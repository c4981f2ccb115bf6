// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pcm_source.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tagscope::ui {

SharedPlayback playbackFromMono(const SharedAudio& mono, int channels) {
    if (!mono) return nullptr;
    auto out = std::make_shared<audio::PlaybackAudio>();
    out->sampleRate = mono->sampleRate;
    out->channels = 1;
    out->samples = mono->samples;
    if (channels > 1) *out = audio::remixChannels(*out, channels);
    return out;
}

PcmSource::PcmSource(SharedPlayback audio, QObject* parent)
    : QIODevice(parent), m_audio(std::move(audio)), m_channels(m_audio ? std::max(m_audio->channels, 1) : 1) {}

void PcmSource::setSchedule(const PlaybackSchedule& schedule) {
    std::lock_guard lock(m_mutex);
    m_schedule = schedule;
    m_cursor = 0;
}

PlaybackSchedule PcmSource::schedule() const {
    std::lock_guard lock(m_mutex);
    return m_schedule;
}

bool PcmSource::exhausted() const {
    std::lock_guard lock(m_mutex);
    return m_schedule.contiguousRun(m_cursor).first == 0;
}

qint64 PcmSource::bytesAvailable() const {
    std::lock_guard lock(m_mutex);
    const int64_t left = m_schedule.loops() ? m_schedule.totalFrames() : m_schedule.totalFrames() - m_cursor;
    return std::max<int64_t>(left, 0) * m_channels * 2 + QIODevice::bytesAvailable();
}

qint64 PcmSource::readData(char* data, qint64 maxSize) {
    std::lock_guard lock(m_mutex);
    if (!m_audio) return 0;
    const int frameBytes = m_channels * 2;
    int64_t room = maxSize / frameBytes;
    qint64 written = 0;
    auto* out = reinterpret_cast<int16_t*>(data);
    const auto& samples = m_audio->samples;
    const size_t inChannels = size_t(std::max(m_audio->channels, 1));
    const bool fades = m_schedule.fadeFrames() > 0;
    while (room > 0) {
        const auto [run, start] = m_schedule.contiguousRun(m_cursor);
        if (run == 0) break;
        const int64_t n = std::min(run, room);
        for (int64_t i = 0; i < n; ++i) {
            const size_t frame = size_t(start + i) * inChannels;
            const float gain = fades ? m_schedule.gainAt(m_cursor + i) : 1.0f;
            for (int c = 0; c < m_channels; ++c) {
                const size_t s = frame + std::min(size_t(c), inChannels - 1);
                const float v = s < samples.size() ? std::clamp(samples[s] * gain, -1.0f, 1.0f) : 0.0f;
                *out++ = int16_t(std::lround(v * 32767.0f));
            }
        }
        m_cursor += n;
        room -= n;
        written += n * frameBytes;
    }
    return written;
}

qint64 PcmSource::writeData(const char*, qint64) { return -1; }

} // namespace tagscope::ui
