// SPDX-License-Identifier: GPL-3.0-or-later
// decodeAudio / probeAudio on synthesized files: every kind of bad input, then good ones.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numbers>

#include <gtest/gtest.h>

#include "core/audio/audio_decoder.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

namespace tagscope::audio {
namespace {

using test::rawWav;
using test::sineFrames;
using test::writeBytes;
using test::writeSound;

constexpr int kWav16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
constexpr int kWavFloat = SF_FORMAT_WAV | SF_FORMAT_FLOAT;

// Expects an InvalidInput/NotFound error whose message names the file and contains `reason`.
void expectError(const Result<AudioBuffer>& result, const std::filesystem::path& path, Error::Kind kind,
                 const std::string& reason) {
    ASSERT_FALSE(result.has_value()) << "decoded " << path << " without error";
    EXPECT_EQ(result.error().kind, kind) << result.error().message;
    EXPECT_NE(result.error().message.find(path.filename().string()), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find(reason), std::string::npos) << result.error().message;
}

TEST(AudioDecoder, MissingFileIsNotFound) {
    const auto path = test::scratchDir("audio_missing") / "nowhere.wav";
    expectError(decodeAudio(path), path, Error::Kind::NotFound, "not found");
    auto probe = probeAudio(path);
    ASSERT_FALSE(probe);
    EXPECT_EQ(probe.error().kind, Error::Kind::NotFound);
}

TEST(AudioDecoder, DirectoryIsRejected) {
    const auto dir = test::scratchDir("audio_dir") / "album.flac";
    std::filesystem::create_directories(dir);
    expectError(decodeAudio(dir), dir, Error::Kind::InvalidInput, "folder");
}

TEST(AudioDecoder, EmptyFileIsRejected) {
    const auto path = test::scratchDir("audio_empty") / "empty.wav";
    writeBytes(path, "");
    expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "empty");
}

TEST(AudioDecoder, TruncatedWavIsAnErrorNotPartialAudio) {
    const auto path = test::scratchDir("audio_trunc_wav") / "cut.wav";
    ASSERT_TRUE(writeSound(path, kWav16, 44100, 2, sineFrames(44100, 2, 44100, 440.0)));
    test::truncateFile(path, 100000); // header says 1 s, about 0.57 s present
    expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "truncated");
    auto probe = probeAudio(path);
    ASSERT_FALSE(probe);
    EXPECT_NE(probe.error().message.find("1.00 s"), std::string::npos) << probe.error().message;
}

TEST(AudioDecoder, TruncatedAiffIsAnError) {
    const auto path = test::scratchDir("audio_trunc_aiff") / "cut.aiff";
    ASSERT_TRUE(writeSound(path, SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 44100, 2, sineFrames(44100, 2, 44100, 440.0)));
    test::truncateFile(path, 100000);
    expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "truncated");
}

TEST(AudioDecoder, TruncatedFlacIsAnError) {
    const auto path = test::scratchDir("audio_trunc_flac") / "cut.flac";
    ASSERT_TRUE(writeSound(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, sineFrames(44100, 2, 88200, 440.0)));
    test::truncateFile(path, std::filesystem::file_size(path) / 2);
    expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "truncated");
}

TEST(AudioDecoder, TruncatedOggAndMp3AreErrors) {
    const auto dir = test::scratchDir("audio_trunc_lossy");
    for (const auto& [name, format] : {std::pair{"cut.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS},
                                       std::pair{"cut.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III}}) {
        const auto path = dir / name;
        ASSERT_TRUE(writeSound(path, format, 44100, 2, sineFrames(44100, 2, 3 * 44100, 440.0))) << name;
        test::truncateFile(path, std::filesystem::file_size(path) * 6 / 10);
        expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "truncated");
    }
}

namespace {

/// The Ogg page checksum (CRC-32, polynomial 0x04c11db7, not reflected, zero start).
uint32_t oggCrc(const std::string& page) {
    uint32_t crc = 0;
    for (unsigned char byte : page) {
        crc ^= uint32_t(byte) << 24;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

/// Moves every audio page's granule position `shift` frames earlier (so the first one is
/// negative, as encoders that trim the start write it) and re-signs the pages.
std::string shiftGranules(std::string bytes, int64_t shift) {
    for (size_t at = bytes.find("OggS"); at != std::string::npos; at = bytes.find("OggS", at + 4)) {
        if (at + 27 > bytes.size()) break;
        int64_t granule = 0;
        std::memcpy(&granule, bytes.data() + at + 6, 8);
        const size_t segments = static_cast<unsigned char>(bytes[at + 26]);
        size_t body = 0;
        for (size_t k = 0; k < segments; ++k) body += static_cast<unsigned char>(bytes[at + 27 + k]);
        const size_t length = 27 + segments + body;
        if (granule > 0 || (granule == 0 && bytes.compare(at + 27 + segments, 7, "\x01vorbis") != 0 &&
                            bytes.compare(at + 27 + segments, 7, "\x03vorbis") != 0 &&
                            bytes.compare(at + 27 + segments, 7, "\x05vorbis") != 0)) {
            granule -= shift;
            std::memcpy(bytes.data() + at + 6, &granule, 8);
        }
        std::memset(bytes.data() + at + 22, 0, 4);
        const uint32_t crc = oggCrc(bytes.substr(at, length));
        std::memcpy(bytes.data() + at + 22, &crc, 4);
        at += length - 4;
    }
    return bytes;
}

} // namespace

TEST(AudioDecoder, OggWhoseGranulesStartBelowZeroDecodesWhole) {
    // Debian's hyperrogue-music ships such files: the first audio page's granule position is
    // -104, and libsndfile's frame count (last minus first granule) is 104 frames more than
    // the stream decodes to. Not damage: every page is there.
    const auto dir = test::scratchDir("audio_ogg_negative_granule");
    const auto plain = dir / "plain.ogg";
    ASSERT_TRUE(writeSound(plain, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 2, sineFrames(44100, 2, 3 * 44100, 440.0)));
    std::ifstream in(plain, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto shifted = dir / "shifted.ogg";
    // The first audio page's granule position, so the shift leaves it at -104.
    int64_t first = 0;
    for (size_t at = bytes.find("OggS"); at != std::string::npos && first <= 0; at = bytes.find("OggS", at + 4))
        std::memcpy(&first, bytes.data() + at + 6, 8);
    writeBytes(shifted, shiftGranules(bytes, first + 104));
    auto reference = decodeAudio(plain);
    ASSERT_TRUE(reference) << reference.error().message;
    auto audio = decodeAudio(shifted);
    ASSERT_TRUE(audio) << audio.error().message;
    // Within one Vorbis block (8192 frames at 44.1 kHz) of the unshifted stream, at 16 kHz.
    EXPECT_NEAR(double(audio->samples.size()), double(reference->samples.size()), 8192.0 * 16000.0 / 44100.0);

    // A cut Ogg stream is still an error (TruncatedOggAndMp3AreErrors): its last page is gone.
}

TEST(AudioDecoder, WavNamedMp3DecodesByContent) {
    const auto path = test::scratchDir("audio_misnamed") / "really_a_wav.mp3";
    ASSERT_TRUE(writeSound(path, kWav16, 22050, 1, sineFrames(22050, 1, 22050, 440.0)));
    auto audio = decodeAudio(path);
    ASSERT_TRUE(audio) << audio.error().message;
    EXPECT_EQ(audio->samples.size(), 22050u);
    EXPECT_EQ(probeAudio(path)->format.substr(0, 3), "WAV");
}

TEST(AudioDecoder, TextFileNamedWavIsRejected) {
    const auto path = test::scratchDir("audio_text") / "notes.wav";
    writeBytes(path, "These are my notes about the song, not audio.\n");
    expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "not in an audio format");
}

TEST(AudioDecoder, UnsupportedFormatIsRejected) {
    // The start of an MP4/M4A (AAC) file: real audio, but not a format libsndfile reads.
    const auto path = test::scratchDir("audio_m4a") / "song.m4a";
    std::string bytes("\0\0\0\x18" "ftypM4A \0\0\0\0" "M4A isom", 24);
    bytes.resize(4096, '\0');
    writeBytes(path, bytes);
    expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "not in an audio format");
}

TEST(AudioDecoder, UnknownWavCodecIsRejected) {
    const auto path = test::scratchDir("audio_codec") / "odd_codec.wav";
    writeBytes(path, rawWav(0x7777, 1, 44100, 4000, 4000)); // no decoder knows codec 0x7777
    auto result = decodeAudio(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, Error::Kind::InvalidInput);
    EXPECT_NE(result.error().message.find("odd_codec.wav"), std::string::npos);
}

TEST(AudioDecoder, ZeroChannelsIsRejected) {
    const auto path = test::scratchDir("audio_zero_ch") / "no_channels.wav";
    writeBytes(path, rawWav(1, 0, 44100, 4000, 4000));
    auto result = decodeAudio(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, Error::Kind::InvalidInput);
    EXPECT_NE(result.error().message.find("no_channels.wav"), std::string::npos);
    EXPECT_NE(result.error().message.find("channel"), std::string::npos) << result.error().message;
}

TEST(AudioDecoder, AbsurdSampleRatesAreRejected) {
    const auto dir = test::scratchDir("audio_rates");
    for (const int rate : {500, 900000}) {
        const auto path = dir / ("rate_" + std::to_string(rate) + ".wav");
        ASSERT_TRUE(writeSound(path, kWav16, rate, 1, sineFrames(rate, 1, 2000, 100.0)));
        expectError(decodeAudio(path), path, Error::Kind::InvalidInput, std::to_string(rate) + " Hz");
    }
    // The limits themselves are accepted.
    const auto low = dir / "rate_1000.wav";
    ASSERT_TRUE(writeSound(low, kWav16, 1000, 1, sineFrames(1000, 1, 2000, 100.0)));
    EXPECT_TRUE(decodeAudio(low));
}

TEST(AudioDecoder, NonFiniteSamplesAreCountedAndLocated) {
    const auto path = test::scratchDir("audio_nan") / "nan.wav";
    auto frames = sineFrames(8000, 2, 80000, 300.0);
    frames[2 * 12000 + 1] = std::numeric_limits<float>::quiet_NaN(); // 1.50 s, right channel
    frames[2 * 70000] = std::numeric_limits<float>::infinity();      // 8.75 s, in a later block
    frames[2 * 70001] = -std::numeric_limits<float>::infinity();
    ASSERT_TRUE(writeSound(path, kWavFloat, 8000, 2, frames));
    auto result = decodeAudio(path);
    expectError(result, path, Error::Kind::InvalidInput, "3 samples are not a number or infinite");
    EXPECT_NE(result.error().message.find("1.50 s"), std::string::npos) << result.error().message;
}

TEST(AudioDecoder, ZeroFramesIsRejected) {
    const auto path = test::scratchDir("audio_zero_frames") / "silence_of_nothing.wav";
    ASSERT_TRUE(writeSound(path, kWav16, 44100, 2, {}));
    expectError(decodeAudio(path), path, Error::Kind::InvalidInput, "no audio");
}

TEST(AudioDecoder, BadOptionsAreRejected) {
    const auto path = test::scratchDir("audio_options") / "tone.wav";
    ASSERT_TRUE(writeSound(path, kWav16, 8000, 1, sineFrames(8000, 1, 16000, 200.0)));
    expectError(decodeAudio(path, {.startSeconds = 2.0}), path, Error::Kind::InvalidInput, "past the end");
    expectError(decodeAudio(path, {.startSeconds = -1.0}), path, Error::Kind::InvalidInput, "start time");
    expectError(decodeAudio(path, {.maxSeconds = std::nan("")}), path, Error::Kind::InvalidInput, "maximum");
    expectError(decodeAudio(path, {.targetSampleRate = 10}), path, Error::Kind::InvalidInput, "10 Hz");
}

TEST(AudioDecoder, StereoWavDecodesToTheMeanOfTheChannels) {
    const auto path = test::scratchDir("audio_stereo") / "sine.wav";
    const auto frames = sineFrames(44100, 2, 44100, 1000.0);
    ASSERT_TRUE(writeSound(path, kWav16, 44100, 2, frames));
    auto info = probeAudio(path);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->sampleRate, 44100);
    EXPECT_EQ(info->channels, 2);
    EXPECT_EQ(info->frames, 44100);
    EXPECT_DOUBLE_EQ(info->durationSeconds(), 1.0);

    auto audio = decodeAudio(path);
    ASSERT_TRUE(audio) << audio.error().message;
    EXPECT_EQ(audio->sampleRate, 44100);
    ASSERT_EQ(audio->samples.size(), 44100u);
    double maxDiff = 0.0;
    for (size_t i = 0; i < 44100; ++i) {
        const double mean = 0.5 * (double(frames[2 * i]) + double(frames[2 * i + 1]));
        maxDiff = std::max(maxDiff, std::abs(double(audio->samples[i]) - mean));
    }
    EXPECT_LT(maxDiff, 1.0 / 32768.0); // 16-bit quantisation of each channel
}

TEST(AudioDecoder, SixChannelsAverageToo) {
    const auto path = test::scratchDir("audio_6ch") / "surround.wav";
    const auto frames = sineFrames(48000, 6, 100000, 110.0); // several read blocks
    ASSERT_TRUE(writeSound(path, kWavFloat, 48000, 6, frames));
    auto audio = decodeAudio(path);
    ASSERT_TRUE(audio) << audio.error().message;
    ASSERT_EQ(audio->samples.size(), 100000u);
    for (size_t i : {size_t(0), size_t(12345), size_t(99999)}) {
        double mean = 0.0;
        for (size_t c = 0; c < 6; ++c) mean += frames[6 * i + c];
        EXPECT_NEAR(audio->samples[i], mean / 6.0, 1e-6) << "frame " << i;
    }
}

TEST(AudioDecoder, StartAndMaxSecondsSelectAnExcerpt) {
    const auto path = test::scratchDir("audio_excerpt") / "ramp.wav";
    std::vector<float> ramp(80000);
    for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = float(i) / 80000.0f;
    ASSERT_TRUE(writeSound(path, kWavFloat, 8000, 1, ramp));
    auto excerpt = decodeAudio(path, {.startSeconds = 2.5, .maxSeconds = 3.0});
    ASSERT_TRUE(excerpt) << excerpt.error().message;
    ASSERT_EQ(excerpt->samples.size(), 24000u);
    EXPECT_FLOAT_EQ(excerpt->samples.front(), ramp[20000]);
    EXPECT_FLOAT_EQ(excerpt->samples.back(), ramp[43999]);
    auto tail = decodeAudio(path, {.startSeconds = 9.0, .maxSeconds = 5.0}); // clipped to the end
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->samples.size(), 8000u);
}

TEST(AudioDecoder, CompressedFormatsDecode) {
    const auto dir = test::scratchDir("audio_formats");
    struct Case { const char* name; int format; int rate; };
    for (const Case& c : {Case{"tone.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100},
                          Case{"tone.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100},
                          Case{"tone.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000},
                          Case{"tone.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100},
                          Case{"tone.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 44100}}) {
        const auto path = dir / c.name;
        ASSERT_TRUE(writeSound(path, c.format, c.rate, 2, sineFrames(c.rate, 2, 2 * c.rate, 440.0))) << c.name;
        auto audio = decodeAudio(path);
        ASSERT_TRUE(audio) << audio.error().message;
        EXPECT_NEAR(audio->durationSeconds(), 2.0, 0.06) << c.name;
        // RMS of the mean of a 0.5 sine and an orthogonal 0.25 sine: sqrt((0.25^2+0.125^2)/2).
        double energy = 0.0;
        const size_t from = audio->samples.size() / 4, to = 3 * audio->samples.size() / 4;
        for (size_t i = from; i < to; ++i) energy += double(audio->samples[i]) * audio->samples[i];
        EXPECT_NEAR(std::sqrt(energy / double(to - from)), std::sqrt((0.0625 + 0.015625) / 2.0), 0.01) << c.name;
    }
}

TEST(AudioDecoder, ProgressIsMonotonicAndEndsAtOne) {
    const auto path = test::scratchDir("audio_progress") / "long.wav";
    ASSERT_TRUE(writeSound(path, kWav16, 8000, 1, sineFrames(8000, 1, 400000, 200.0)));
    std::vector<double> seen;
    auto audio = decodeAudio(path, {}, [&](double f, std::string_view stage) {
        EXPECT_EQ(stage, "decode");
        seen.push_back(f);
    });
    ASSERT_TRUE(audio);
    ASSERT_GE(seen.size(), 2u);
    EXPECT_EQ(seen.front(), 0.0);
    EXPECT_EQ(seen.back(), 1.0);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST(AudioDecoder, CancelFromProgressStopsDecoding) {
    const auto path = test::scratchDir("audio_cancel") / "long.wav";
    ASSERT_TRUE(writeSound(path, kWav16, 8000, 1, sineFrames(8000, 1, 400000, 200.0)));
    CancelToken token;
    int calls = 0;
    auto result = decodeAudio(path, {.targetSampleRate = 16000}, [&](double, std::string_view) {
        ++calls;
        token.cancel();
    }, &token);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, Error::Kind::Cancelled);
    EXPECT_EQ(calls, 1); // never reached the end (which would report 1.0)
}

} // namespace
} // namespace tagscope::audio
