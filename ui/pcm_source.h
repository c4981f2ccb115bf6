// SPDX-License-Identifier: GPL-3.0-or-later
// A QIODevice that feeds decoded mono samples to an audio sink following a PlaybackSchedule.
#pragma once

#include <mutex>

#include <QIODevice>

#include "ui/meta_types.h"
#include "ui/playback_schedule.h"

namespace tagscope::ui {

/// Read-only device producing interleaved 16-bit PCM (the mono signal copied to every
/// channel) in the order of a schedule. read() may be called from the audio backend's thread,
/// so the schedule and cursor are guarded by a mutex.
class PcmSource : public QIODevice {
    Q_OBJECT
public:
    PcmSource(SharedAudio audio, int channels, QObject* parent = nullptr);

    /// Restarts output at the first frame of `schedule` (any thread).
    void setSchedule(const PlaybackSchedule& schedule);
    PlaybackSchedule schedule() const;
    /// True when a non-looping schedule has been read completely.
    bool exhausted() const;
    int bytesPerFrame() const { return m_channels * 2; }
    const SharedAudio& audio() const { return m_audio; }

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override;

protected:
    qint64 readData(char* data, qint64 maxSize) override;
    qint64 writeData(const char* data, qint64 maxSize) override;

private:
    SharedAudio m_audio;
    int m_channels;
    mutable std::mutex m_mutex;
    PlaybackSchedule m_schedule;
    int64_t m_cursor = 0; ///< output frames produced since the schedule started
};

} // namespace tagscope::ui
