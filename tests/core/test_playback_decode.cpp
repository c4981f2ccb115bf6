// SPDX-License-Identifier: GPL-3.0-or-later
// Audio as recorded for playback: the file's own rate and channels, remixing and resampling.
#include <gtest/gtest.h>

#include <cmath>

#include "core/audio/playback_decode.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

using namespace tagscope;

TEST(PlaybackDecode, KeepsTheFileRateAndChannelsInterleaved) {
    const auto dir = test::scratchDir("playback_decode");
    const auto path = dir / "stereo_44k1.wav";
    const auto frames = test::sineFrames(44100, 2, 44100 / 2, 440.0);
    ASSERT_TRUE(test::writeSound(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, frames));
    auto audio = audio::decodeForPlayback(path);
    ASSERT_TRUE(audio) << audio.error().message;
    EXPECT_EQ(audio->sampleRate, 44100);
    EXPECT_EQ(audio->channels, 2);
    EXPECT_EQ(audio->frames(), 44100 / 2);
    ASSERT_EQ(audio->samples.size(), frames.size());
    for (size_t i = 0; i < frames.size(); i += 997) EXPECT_FLOAT_EQ(audio->samples[i], frames[i]) << i;
}

TEST(PlaybackDecode, MissingEmptyAndGarbageFilesNameTheFile) {
    const auto dir = test::scratchDir("playback_decode_bad");
    auto missing = audio::decodeForPlayback(dir / "nope.flac");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("nope.flac"), std::string::npos) << missing.error().message;
    test::writeBytes(dir / "empty.wav", "");
    auto empty = audio::decodeForPlayback(dir / "empty.wav");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;
    test::writeBytes(dir / "text.ogg", "this is not audio at all, just some text");
    EXPECT_FALSE(audio::decodeForPlayback(dir / "text.ogg"));
    CancelToken cancel;
    cancel.cancel();
    const auto path = dir / "mono.wav";
    ASSERT_TRUE(test::writeSound(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, test::sineFrames(8000, 1, 800, 100.0)));
    auto cancelled = audio::decodeForPlayback(path, {}, &cancel);
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error().kind, Error::Kind::Cancelled);
}

TEST(PlaybackDecode, RemixesChannels) {
    audio::PlaybackAudio six;
    six.sampleRate = 48000;
    six.channels = 6;
    six.samples = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    const auto stereo = audio::remixChannels(six, 2);
    EXPECT_EQ(stereo.channels, 2);
    EXPECT_EQ(stereo.frames(), 2);
    EXPECT_FLOAT_EQ(stereo.samples[0], 0.1f); // front left
    EXPECT_FLOAT_EQ(stereo.samples[1], 0.2f); // front right
    const auto mono = audio::remixChannels(six, 1);
    EXPECT_NEAR(mono.samples[0], 0.35f, 1e-6);
    audio::PlaybackAudio one;
    one.sampleRate = 22050;
    one.channels = 1;
    one.samples = {0.25f, -0.5f};
    const auto two = audio::remixChannels(one, 2);
    EXPECT_EQ(two.samples, (std::vector<float>{0.25f, 0.25f, -0.5f, -0.5f}));
}

TEST(PlaybackDecode, ResamplesEveryChannel) {
    audio::PlaybackAudio in;
    in.sampleRate = 22050;
    in.channels = 2;
    in.samples = test::sineFrames(22050, 2, 22050, 200.0); // left 200 Hz, right 400 Hz at half amplitude
    auto out = audio::resamplePlayback(in, 48000);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(out->channels, 2);
    EXPECT_NEAR(double(out->frames()), 48000.0, 2.0);
    // The channels stay apart: peak amplitudes 0.5 and 0.25 away from the edges.
    float left = 0.0f, right = 0.0f;
    for (int64_t f = 1000; f < out->frames() - 1000; ++f) {
        left = std::max(left, std::abs(out->samples[size_t(2 * f)]));
        right = std::max(right, std::abs(out->samples[size_t(2 * f + 1)]));
    }
    EXPECT_NEAR(left, 0.5f, 0.01f);
    EXPECT_NEAR(right, 0.25f, 0.01f);
    EXPECT_FALSE(audio::resamplePlayback(in, 10)); // implausible rate
}
