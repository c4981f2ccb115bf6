// SPDX-License-Identifier: GPL-3.0-or-later
// Decodes a track as recorded for playback, off the GUI thread.
#pragma once

#include <atomic>
#include <memory>

#include <QObject>
#include <QString>

#include "core/common/progress.h"
#include "ui/pcm_source.h"

namespace tagscope::ui {

/// Decodes files for playback (decodeForPlayback: the file's own rate and channels) and
/// converts them to a format the output device takes, on the global thread pool. Each request
/// supersedes the previous one: its result is dropped and its decode cancelled. Signals arrive
/// on the GUI thread. All members: GUI thread.
class PlaybackLoader : public QObject {
    Q_OBJECT
public:
    explicit PlaybackLoader(QObject* parent = nullptr);
    ~PlaybackLoader() override;

    /// Starts decoding `path`; ready() or failed() follows (unless superseded). Returns the request id.
    quint64 load(const QString& path);
    /// Starts converting `audio` to `sampleRate` and `channels` (remix, then resample).
    quint64 convert(const SharedPlayback& audio, int sampleRate, int channels);
    /// Drops the running request.
    void cancel();
    quint64 currentRequest() const { return m_current; }

Q_SIGNALS:
    /// The audio of request `id`, ready to play.
    void ready(quint64 id, const tagscope::ui::SharedPlayback& audio);
    /// Request `id` failed; `message` names the file and the reason.
    void failed(quint64 id, const QString& message);

private:
    quint64 start(std::function<Result<audio::PlaybackAudio>(const CancelToken*)> job);
    void deliver(quint64 id, const SharedPlayback& audio, const QString& error);

    quint64 m_current = 0;
    std::shared_ptr<CancelToken> m_cancel;
    std::shared_ptr<std::atomic<bool>> m_alive = std::make_shared<std::atomic<bool>>(true);
};

} // namespace tagscope::ui

Q_DECLARE_METATYPE(tagscope::ui::SharedPlayback)
