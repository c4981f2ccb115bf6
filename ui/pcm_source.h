// SPDX-License-Identifier: GPL-3.0-or-later
// A QIODevice that feeds audio as recorded to an audio sink following a PlaybackSchedule.
#pragma once

#include <memory>
#include <mutex>

#include <QIODevice>

#include "core/audio/playback_decode.h"
#include "ui/meta_types.h"
#include "ui/playback_schedule.h"

namespace tagscope::ui {

/// Audio for playback, shared read-only between the loader, the controller and the sink's thread.
using SharedPlayback = std::shared_ptr<const audio::PlaybackAudio>;

/// The mono analysis buffer as playback audio with `channels` identical channels (a fallback
/// when the file cannot be decoded as recorded).
SharedPlayback playbackFromMono(const SharedAudio& mono, int channels);

/// Read-only device producing interleaved 16-bit PCM with the audio's own channels in the order
/// of a schedule, each frame multiplied by the schedule's gain (fades). read() may be called from
/// the audio backend's thread, so the schedule and cursor are guarded by a mutex.
class PcmSource : public QIODevice {
    Q_OBJECT
public:
    explicit PcmSource(SharedPlayback audio, QObject* parent = nullptr);

    /// Restarts output at the first frame of `schedule` (any thread).
    void setSchedule(const PlaybackSchedule& schedule);
    PlaybackSchedule schedule() const;
    /// True when a non-looping schedule has been read completely.
    bool exhausted() const;
    int channels() const { return m_channels; }
    int bytesPerFrame() const { return m_channels * 2; }
    const SharedPlayback& audio() const { return m_audio; }

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override;

protected:
    qint64 readData(char* data, qint64 maxSize) override;
    qint64 writeData(const char* data, qint64 maxSize) override;

private:
    SharedPlayback m_audio;
    int m_channels;
    mutable std::mutex m_mutex;
    PlaybackSchedule m_schedule;
    int64_t m_cursor = 0; ///< output frames produced since the schedule started
};

} // namespace tagscope::ui
