// SPDX-License-Identifier: GPL-3.0-or-later
// Plays the decoded track through Qt Multimedia with an exact, drift-free playhead.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include <QObject>
#include <QString>
#include <QTimer>

#include "ui/meta_types.h"
#include "ui/pcm_source.h"
#include "ui/playback_schedule.h"

class QAudioSink;

namespace tagscope::ui {

/// Owns a QAudioSink pulling from a PcmSource. The playhead is computed 60 times a second
/// from the sink's processed time minus what is still buffered (PlayheadClock), mapped through
/// the schedule, so it follows the audio exactly even across jumps (evidence playback) and
/// long tracks. Without an output device every call is a no-op and isAvailable() is false.
/// GUI thread.
class PlaybackController : public QObject {
    Q_OBJECT
public:
    enum class State { Stopped, Playing, Paused };

    explicit PlaybackController(QObject* parent = nullptr);
    ~PlaybackController() override;

    bool isAvailable() const { return m_available; }
    /// Why playback is unavailable (empty when available).
    QString unavailableReason() const { return m_reason; }
    /// The sample rate the output device wants (0 without a device).
    int preferredSampleRate() const { return m_preferredRate; }
    /// True when the device plays `sampleRate` mono/stereo 16-bit as is.
    bool supportsRate(int sampleRate) const;
    /// True when the device plays 16-bit audio at `sampleRate` with `channels` as is.
    bool supportsFormat(int sampleRate, int channels) const;
    /// Channels the device prefers (1 or 2; 0 without a device).
    int preferredChannels() const { return m_available ? m_channels : 0; }

    /// Uses the mono analysis buffer for playback (a fallback: see setPlaybackAudio). Audio at an
    /// unsupported rate is refused with needsSampleRate(preferred) so the caller can resample it.
    void setAudio(const SharedAudio& audio);
    /// Uses `audio` as recorded (its own rate and channels) for playback, stopping what plays.
    /// A format the device does not take is refused with needsFormat(rate, channels) so the
    /// caller can convert it.
    void setPlaybackAudio(const SharedPlayback& audio);
    /// The audio in use (null when none).
    const SharedPlayback& playbackAudio() const { return m_audio; }
    void clear();
    State state() const { return m_state; }
    /// Playhead in seconds (the last position while paused or stopped).
    double position() const { return m_position; }

    void play();
    void pause();
    void togglePlayPause();
    void stop();
    /// Moves the playhead; playing continues from there.
    void seek(double seconds);
    /// Plays [a, b] seconds, once or looped.
    void playRegion(double a, double b, bool loop);
    /// Plays the segments ([start, end) seconds) one after another.
    void playSegments(const std::vector<std::pair<double, double>>& segments);

Q_SIGNALS:
    void positionChanged(double seconds);
    void stateChanged(tagscope::ui::PlaybackController::State state);
    /// `setAudio` got audio at a rate the device does not take: resample to `sampleRate`.
    void needsSampleRate(int sampleRate);
    /// `setPlaybackAudio` got a format the device does not take: convert to these.
    void needsFormat(int sampleRate, int channels);

private:
    void start(const PlaybackSchedule& schedule);
    void tick();
    void setState(State state);

    bool m_available = false;
    QString m_reason;
    int m_preferredRate = 0;
    int m_channels = 1;
    SharedPlayback m_audio;
    std::unique_ptr<QAudioSink> m_sink;
    std::unique_ptr<PcmSource> m_source;
    QTimer m_timer;
    State m_state = State::Stopped;
    double m_position = 0.0;
};

} // namespace tagscope::ui
