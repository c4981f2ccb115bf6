// SPDX-License-Identifier: GPL-3.0-or-later
// Playhead position <-> time mapping and selection -> playback range (pure logic).
#include <gtest/gtest.h>

#include "ui/pcm_source.h"
#include "ui/playback_schedule.h"
#include "ui/playhead_clock.h"

using namespace tagscope::ui;

TEST(PlaybackSchedule, FromPositionPlaysToTheEnd) {
    const auto s = PlaybackSchedule::fromPosition(1.5, 48000, 16000);
    ASSERT_EQ(s.segments().size(), 1u);
    EXPECT_EQ(s.segments()[0].startFrame, 24000);
    EXPECT_EQ(s.segments()[0].endFrame, 48000);
    EXPECT_EQ(s.sourceFrameAt(0), 24000);
    EXPECT_EQ(s.sourceFrameAt(23999), 47999);
    EXPECT_FALSE(s.sourceFrameAt(24000).has_value()); // finished
}

TEST(PlaybackSchedule, PositionBeyondTheTrackIsEmpty) {
    EXPECT_TRUE(PlaybackSchedule::fromPosition(10.0, 16000, 16000).isEmpty());
    EXPECT_EQ(PlaybackSchedule::fromPosition(-3.0, 16000, 16000).segments()[0].startFrame, 0);
}

TEST(PlaybackSchedule, RegionSelectionIsOrderedAndClamped) {
    const auto s = PlaybackSchedule::fromRegion(2.0, 0.5, 16000 * 3, 16000, false); // dragged leftwards
    ASSERT_EQ(s.segments().size(), 1u);
    EXPECT_EQ(s.segments()[0].startFrame, 8000);
    EXPECT_EQ(s.segments()[0].endFrame, 32000);
    const auto clamped = PlaybackSchedule::fromRegion(2.5, 9.0, 16000 * 3, 16000, false);
    EXPECT_EQ(clamped.segments()[0].endFrame, 48000);
    EXPECT_TRUE(PlaybackSchedule::fromRegion(1.0, 1.0, 48000, 16000, false).isEmpty());
}

TEST(PlaybackSchedule, LoopedRegionWrapsAround) {
    const auto s = PlaybackSchedule::fromRegion(1.0, 2.0, 16000 * 10, 1000, true);
    EXPECT_EQ(s.totalFrames(), 1000);
    EXPECT_EQ(s.sourceFrameAt(0), 1000);
    EXPECT_EQ(s.sourceFrameAt(999), 1999);
    EXPECT_EQ(s.sourceFrameAt(1000), 1000); // second pass
    EXPECT_EQ(s.sourceFrameAt(25250), 1250);
}

TEST(PlaybackSchedule, EvidenceSegmentsJumpInOrder) {
    // best segment first, even when it is later in the track
    const auto s = PlaybackSchedule::fromSegments({{5.0, 6.0}, {1.0, 2.0}, {3.0, 3.0}}, 10000, 1000);
    ASSERT_EQ(s.segments().size(), 2u); // the empty one is dropped
    EXPECT_EQ(s.sourceFrameAt(0), 5000);
    EXPECT_EQ(s.sourceFrameAt(999), 5999);
    EXPECT_EQ(s.sourceFrameAt(1000), 1000); // the playhead jumps back
    EXPECT_EQ(s.sourceFrameAt(1500), 1500);
    EXPECT_FALSE(s.sourceFrameAt(2000).has_value());
    const auto [run, start] = s.contiguousRun(800);
    EXPECT_EQ(run, 200);
    EXPECT_EQ(start, 5800);
}

TEST(PlayheadClock, SubtractsWhatIsStillBuffered) {
    // 1 s processed at 48 kHz stereo 16-bit, 0.1 s still in the device buffer
    EXPECT_EQ(PlayheadClock::playedFrames(1000000, 4800 * 4, 4, 48000), 48000 - 4800);
    EXPECT_EQ(PlayheadClock::playedFrames(1000, 4800 * 4, 4, 48000), 0); // never negative
    EXPECT_EQ(PlayheadClock::playedFrames(1000000, 0, 0, 48000), 0);     // bad format
}

TEST(PlayheadClock, NoDriftOverTenMinutes) {
    const int64_t usecs = 600LL * 1000000LL;
    EXPECT_EQ(PlayheadClock::playedFrames(usecs, 0, 2, 44100), 600LL * 44100LL);
    EXPECT_EQ(PlayheadClock::playedFrames(usecs + 7, 0, 2, 44100), 600LL * 44100LL);
    const double t = frameToSeconds(PlayheadClock::playedFrames(usecs, 0, 2, 22050), 22050);
    EXPECT_DOUBLE_EQ(t, 600.0);
}

TEST(PcmSource, ProducesSamplesInScheduleOrderOnEveryChannel) {
    auto audio = std::make_shared<tagscope::audio::AudioBuffer>();
    audio->sampleRate = 10;
    for (int i = 0; i < 100; ++i) audio->samples.push_back(float(i) / 200.0f);
    PcmSource source(playbackFromMono(audio, 2));
    ASSERT_TRUE(source.open(QIODevice::ReadOnly));
    source.setSchedule(PlaybackSchedule::fromSegments({{5.0, 5.3}, {1.0, 1.2}}, 100, 10));
    const QByteArray bytes = source.read(1000);
    ASSERT_EQ(bytes.size(), 5 * 2 * 2); // 5 frames x 2 channels x 2 bytes
    const auto* pcm = reinterpret_cast<const int16_t*>(bytes.constData());
    const int expectedFrames[] = {50, 51, 52, 10, 11};
    for (int f = 0; f < 5; ++f) {
        const int expected = int(std::lround(expectedFrames[f] / 200.0 * 32767.0));
        EXPECT_EQ(pcm[2 * f], expected) << "frame " << f;
        EXPECT_EQ(pcm[2 * f + 1], expected) << "frame " << f;
    }
    EXPECT_TRUE(source.exhausted());
    EXPECT_EQ(source.read(100).size(), 0);
}
