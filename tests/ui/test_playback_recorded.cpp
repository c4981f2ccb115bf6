// SPDX-License-Identifier: GPL-3.0-or-later
// Playback as recorded: the loader keeps the file's rate and channels; evidence plays with fades.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>

#include "tests/support/test_paths.h"
#include "ui/pcm_source.h"
#include "ui/playback_loader.h"
#include "ui/playback_schedule.h"

using namespace tagscope;
using namespace tagscope::ui;

TEST(PlaybackLoader, DecodesTheClipAtItsOwnRateAndChannels) {
    TAGSCOPE_REQUIRE_SHARED("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    PlaybackLoader loader;
    QSignalSpy ready(&loader, &PlaybackLoader::ready);
    QSignalSpy failed(&loader, &PlaybackLoader::failed);
    const quint64 id = loader.load(QString::fromStdString(test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg").string()));
    ASSERT_TRUE(ready.wait(60000)) << (failed.isEmpty() ? "" : failed.front().at(1).toString().toStdString());
    EXPECT_EQ(ready.front().at(0).toULongLong(), id);
    const auto audio = ready.front().at(1).value<SharedPlayback>();
    ASSERT_TRUE(audio);
    EXPECT_EQ(audio->sampleRate, 22050); // as recorded, not the 16 kHz analysis rate
    EXPECT_EQ(audio->channels, 1);
    EXPECT_NEAR(audio->durationSeconds(), 61.0, 1.5);

    // Converting for a device that wants 48 kHz stereo.
    QSignalSpy converted(&loader, &PlaybackLoader::ready);
    loader.convert(audio, 48000, 2);
    ASSERT_TRUE(converted.wait(60000));
    const auto stereo = converted.front().at(1).value<SharedPlayback>();
    EXPECT_EQ(stereo->sampleRate, 48000);
    EXPECT_EQ(stereo->channels, 2);
    EXPECT_NEAR(stereo->durationSeconds(), audio->durationSeconds(), 0.01);
}

TEST(PlaybackLoader, MissingFileFailsWithItsNameAndNewerRequestsWin) {
    PlaybackLoader loader;
    QSignalSpy ready(&loader, &PlaybackLoader::ready);
    QSignalSpy failed(&loader, &PlaybackLoader::failed);
    loader.load(QStringLiteral("/nonexistent/first.ogg"));
    const quint64 second = loader.load(QStringLiteral("/nonexistent/second.ogg"));
    ASSERT_TRUE(failed.wait(10000));
    QTest::qWait(50);
    ASSERT_EQ(failed.count(), 1) << "the superseded request is dropped";
    EXPECT_EQ(failed.front().at(0).toULongLong(), second);
    EXPECT_TRUE(failed.front().at(1).toString().contains(QStringLiteral("second.ogg")));
    EXPECT_EQ(ready.count(), 0);
}

TEST(PlaybackSchedule, EvidenceSegmentsFadeInAndOut) {
    // Two evidence segments at 48 kHz: 15 ms fades = 720 frames at each end of each segment.
    const auto s = PlaybackSchedule::fromSegments({{10.0, 11.0}, {2.0, 3.0}}, 48000 * 60, 48000);
    ASSERT_EQ(s.fadeFrames(), 720);
    EXPECT_FLOAT_EQ(s.gainAt(0), 0.0f);
    EXPECT_FLOAT_EQ(s.gainAt(360), 0.5f);
    EXPECT_FLOAT_EQ(s.gainAt(720), 1.0f);
    EXPECT_FLOAT_EQ(s.gainAt(24000), 1.0f);
    EXPECT_NEAR(s.gainAt(47999), 0.0f, 1e-6);      // last frame of the first segment
    EXPECT_NEAR(s.gainAt(48000 - 360), 0.5f, 0.01); // halfway through its fade-out
    EXPECT_FLOAT_EQ(s.gainAt(48000), 0.0f);         // the second segment starts from silence
    EXPECT_FLOAT_EQ(s.gainAt(48000 + 720), 1.0f);
    EXPECT_FLOAT_EQ(s.gainAt(96000), 0.0f);         // exhausted
    EXPECT_EQ(*s.sourceFrameAt(48000), 2 * 48000);  // in order: 10 s first, then 2 s
    // A region or a seek plays without fades; a fade never exceeds half a short segment.
    EXPECT_EQ(PlaybackSchedule::fromRegion(1.0, 2.0, 48000 * 60, 48000, false).fadeFrames(), 0);
    const auto shortOne = PlaybackSchedule::fromSegments({{0.0, 0.01}}, 48000, 48000); // 480 frames
    EXPECT_NEAR(shortOne.gainAt(240), 1.0f, 0.01f);
    EXPECT_FLOAT_EQ(shortOne.gainAt(120), 0.5f);
}

TEST(PcmSource, PlaysStereoAsRecordedWithFades) {
    auto audio = std::make_shared<audio::PlaybackAudio>();
    audio->sampleRate = 1000;
    audio->channels = 2;
    for (int f = 0; f < 1000; ++f) audio->samples.insert(audio->samples.end(), {0.5f, -0.25f});
    PcmSource source(audio);
    EXPECT_EQ(source.channels(), 2);
    ASSERT_TRUE(source.open(QIODevice::ReadOnly));
    source.setSchedule(PlaybackSchedule::fromSegments({{0.1, 0.2}}, 1000, 1000, 0.02)); // 100 frames, 20-frame fades
    const QByteArray bytes = source.read(100000);
    ASSERT_EQ(bytes.size(), 100 * 2 * 2);
    const auto* pcm = reinterpret_cast<const int16_t*>(bytes.constData());
    EXPECT_EQ(pcm[0], 0);                                        // fade-in starts silent
    EXPECT_EQ(pcm[2 * 10], int16_t(std::lround(0.25f * 32767))); // halfway: half gain on the left
    EXPECT_EQ(pcm[2 * 50], int16_t(std::lround(0.5f * 32767)));  // full gain in the middle
    EXPECT_EQ(pcm[2 * 50 + 1], int16_t(std::lround(-0.25f * 32767))); // the right channel is its own
    EXPECT_EQ(pcm[2 * 99], 0);                                   // fade-out ends silent
}
