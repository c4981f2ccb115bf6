// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/playback_loader.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QThreadPool>

namespace tagscope::ui {

PlaybackLoader::PlaybackLoader(QObject* parent) : QObject(parent) {
    qRegisterMetaType<SharedPlayback>();
}

PlaybackLoader::~PlaybackLoader() {
    m_alive->store(false);
    cancel();
}

quint64 PlaybackLoader::load(const QString& path) {
    const std::filesystem::path file = path.toStdString();
    return start([file](const CancelToken* cancel) { return audio::decodeForPlayback(file, {}, cancel); });
}

quint64 PlaybackLoader::convert(const SharedPlayback& source, int sampleRate, int channels) {
    return start([source, sampleRate, channels](const CancelToken*) -> Result<audio::PlaybackAudio> {
        if (!source) return fail(Error::Kind::InvalidInput, {}, "no audio to convert");
        return audio::resamplePlayback(audio::remixChannels(*source, channels), sampleRate);
    });
}

void PlaybackLoader::cancel() {
    if (m_cancel) m_cancel->cancel();
    m_cancel.reset();
    ++m_current;
}

quint64 PlaybackLoader::start(std::function<Result<audio::PlaybackAudio>(const CancelToken*)> job) {
    cancel();
    const quint64 id = m_current;
    auto token = std::make_shared<CancelToken>();
    m_cancel = token;
    QPointer<PlaybackLoader> self(this);
    auto alive = m_alive;
    QThreadPool::globalInstance()->start([self, alive, token, id, job = std::move(job)] {
        // NOTE: nothing may throw across the thread: a library exception becomes an error.
        SharedPlayback audio;
        QString error;
        try {
            auto result = job(token.get());
            if (result) audio = std::make_shared<const audio::PlaybackAudio>(std::move(*result));
            else error = QString::fromStdString(result.error().message);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        if (token->isCancelled() || !alive->load()) return;
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [self, id, audio, error] {
                if (self) self->deliver(id, audio, error);
            },
            Qt::QueuedConnection);
    });
    return id;
}

void PlaybackLoader::deliver(quint64 id, const SharedPlayback& audio, const QString& error) {
    if (id != m_current) return; // superseded
    m_cancel.reset();
    if (audio) Q_EMIT ready(id, audio);
    else Q_EMIT failed(id, error);
}

} // namespace tagscope::ui
