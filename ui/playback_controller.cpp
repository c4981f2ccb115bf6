// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/playback_controller.h"

#include <QAudioDevice>
#include <QAudioFormat>
#include <QAudioSink>
#include <QMediaDevices>

#include "ui/pcm_source.h"
#include "ui/playhead_clock.h"

namespace tagscope::ui {

namespace {

QAudioFormat formatFor(int sampleRate, int channels) {
    QAudioFormat f;
    f.setSampleRate(sampleRate);
    f.setChannelCount(channels);
    f.setSampleFormat(QAudioFormat::Int16);
    return f;
}

} // namespace

PlaybackController::PlaybackController(QObject* parent) : QObject(parent) {
    const QAudioDevice device = QMediaDevices::defaultAudioOutput();
    if (QMediaDevices::audioOutputs().isEmpty() || device.isNull()) {
        m_reason = tr("No audio output device: playback is disabled.");
    } else {
        m_available = true;
        m_preferredRate = device.preferredFormat().sampleRate();
        m_channels = std::clamp(device.preferredFormat().channelCount(), 1, 2);
    }
    m_timer.setInterval(16); // ~60 Hz playhead
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &PlaybackController::tick);
}

PlaybackController::~PlaybackController() { clear(); }

bool PlaybackController::supportsRate(int sampleRate) const {
    return m_available && QMediaDevices::defaultAudioOutput().isFormatSupported(formatFor(sampleRate, m_channels));
}

bool PlaybackController::supportsFormat(int sampleRate, int channels) const {
    return m_available && QMediaDevices::defaultAudioOutput().isFormatSupported(formatFor(sampleRate, channels));
}

void PlaybackController::setAudio(const SharedAudio& audio) {
    clear();
    if (!m_available || !audio || audio->sampleRate <= 0) return;
    if (!supportsRate(audio->sampleRate)) {
        Q_EMIT needsSampleRate(m_preferredRate);
        return;
    }
    setPlaybackAudio(playbackFromMono(audio, m_channels));
}

void PlaybackController::setPlaybackAudio(const SharedPlayback& audio) {
    clear();
    if (!m_available || !audio || audio->sampleRate <= 0 || audio->channels <= 0) return;
    if (!supportsFormat(audio->sampleRate, audio->channels)) {
        Q_EMIT needsFormat(m_preferredRate, m_channels);
        return;
    }
    m_audio = audio;
    m_source = std::make_unique<PcmSource>(audio);
    m_source->open(QIODevice::ReadOnly);
}

void PlaybackController::clear() {
    m_timer.stop();
    if (m_sink) m_sink->stop();
    m_sink.reset();
    m_source.reset();
    m_audio.reset();
    m_position = 0.0;
    setState(State::Stopped);
}

void PlaybackController::start(const PlaybackSchedule& schedule) {
    if (!m_source || schedule.isEmpty()) return;
    if (m_sink) m_sink->stop();
    m_sink = std::make_unique<QAudioSink>(QMediaDevices::defaultAudioOutput(),
                                          formatFor(m_audio->sampleRate, m_audio->channels));
    m_source->setSchedule(schedule);
    m_sink->start(m_source.get());
    m_timer.start();
    setState(State::Playing);
}

void PlaybackController::play() {
    if (!m_source) return;
    if (m_state == State::Paused && m_sink) {
        m_sink->resume();
        m_timer.start();
        setState(State::Playing);
        return;
    }
    if (m_state == State::Playing) return;
    const auto total = m_audio->frames();
    double from = m_position;
    if (secondsToFrame(from, m_audio->sampleRate) >= total) from = 0.0;
    start(PlaybackSchedule::fromPosition(from, total, m_audio->sampleRate));
}

void PlaybackController::pause() {
    if (m_state != State::Playing || !m_sink) return;
    tick();
    m_sink->suspend();
    m_timer.stop();
    setState(State::Paused);
}

void PlaybackController::togglePlayPause() {
    if (m_state == State::Playing) pause();
    else play();
}

void PlaybackController::stop() {
    m_timer.stop();
    if (m_sink) m_sink->stop();
    m_sink.reset();
    setState(State::Stopped);
}

void PlaybackController::seek(double seconds) {
    m_position = std::max(0.0, seconds);
    Q_EMIT positionChanged(m_position);
    if (m_state == State::Playing && m_audio)
        start(PlaybackSchedule::fromPosition(m_position, m_audio->frames(), m_audio->sampleRate));
    else if (m_state == State::Paused)
        stop();
}

void PlaybackController::playRegion(double a, double b, bool loop) {
    if (!m_audio) return;
    start(PlaybackSchedule::fromRegion(a, b, m_audio->frames(), m_audio->sampleRate, loop));
}

void PlaybackController::playSegments(const std::vector<std::pair<double, double>>& segments) {
    if (!m_audio) return;
    start(PlaybackSchedule::fromSegments(segments, m_audio->frames(), m_audio->sampleRate));
}

void PlaybackController::tick() {
    if (!m_sink || !m_source) return;
    const int64_t buffered = int64_t(m_sink->bufferSize()) - int64_t(m_sink->bytesFree());
    const int64_t played = PlayheadClock::playedFrames(m_sink->processedUSecs(), buffered, m_source->bytesPerFrame(),
                                                       m_audio->sampleRate);
    const auto frame = m_source->schedule().sourceFrameAt(played);
    if (!frame) {
        stop(); // the schedule is over
        return;
    }
    m_position = frameToSeconds(*frame, m_audio->sampleRate);
    Q_EMIT positionChanged(m_position);
}

void PlaybackController::setState(State state) {
    if (state == m_state) return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace tagscope::ui
