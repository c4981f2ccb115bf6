// SPDX-License-Identifier: GPL-3.0-or-later
// The audio hash analyzer and the decode-ahead queue used by `scan` and `tag`.
#include <gtest/gtest.h>

#include <sndfile.h>

#include "core/analysis/audio_hash_analyzer.h"
#include "core/analysis/track_prefetcher.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

namespace tagscope::analysis {
namespace {
namespace fs = std::filesystem;

std::string hashOf(const fs::path& file) {
    AudioHashAnalyzer h;
    AudioAnalyzer* a[] = {&h};
    auto ok = runAnalyzers(file, a);
    return ok ? h.hash() : "error: " + ok.error().message;
}

TEST(AudioHashAnalyzer, SameAudioSameHashWhateverTheContainer) {
    const auto dir = test::scratchDir("audio_hash");
    const auto tone = test::sineFrames(22050, 1, 22050, 440.0);
    ASSERT_TRUE(test::writeSound(dir / "a.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, 1, tone));
    ASSERT_TRUE(test::writeSound(dir / "b.w64", SF_FORMAT_W64 | SF_FORMAT_FLOAT, 22050, 1, tone));
    auto other = tone;
    other[100] += 0.01f;
    ASSERT_TRUE(test::writeSound(dir / "c.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, 1, other));
    const auto ha = hashOf(dir / "a.wav");
    EXPECT_EQ(ha.size(), 64u) << ha;
    EXPECT_EQ(ha, hashOf(dir / "b.w64"));   // other container, same samples
    EXPECT_NE(ha, hashOf(dir / "c.wav"));   // one sample differs
    EXPECT_EQ(hashOf(dir / "missing.wav").rfind("error:", 0), 0u);
}

TEST(TrackPrefetcher, DeliversEveryTrackInOrderWithErrorsInPlace) {
    const auto dir = test::scratchDir("prefetcher");
    std::vector<fs::path> files;
    for (int i = 0; i < 4; ++i) {
        files.push_back(dir / ("t" + std::to_string(i) + ".wav"));
        ASSERT_TRUE(test::writeSound(files.back(), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 32000, 2,
                                     test::sineFrames(32000, 2, 32000 + 8000 * i, 300.0 + 50 * i)));
    }
    files.insert(files.begin() + 2, dir / "missing.wav");
    TrackPrefetcher prefetcher(files, {16000, audio::ResampleQuality::Torchaudio, true, 1}, nullptr);
    std::vector<std::string> hashes;
    for (size_t i = 0; i < files.size(); ++i) {
        auto t = prefetcher.next();
        ASSERT_TRUE(t);
        EXPECT_EQ(t->index, i);
        EXPECT_EQ(t->file, files[i]);
        if (i == 2) {
            ASSERT_FALSE(t->audio);
            EXPECT_NE(t->audio.error().message.find("missing.wav"), std::string::npos);
            continue;
        }
        ASSERT_TRUE(t->audio) << t->audio.error().message;
        EXPECT_EQ(t->audio->sampleRate, 16000);
        const size_t k = i < 2 ? i : i - 1;
        EXPECT_NEAR(double(t->audio->samples.size()), 16000.0 + 4000.0 * double(k), 2.0);
        EXPECT_EQ(t->audioHash, hashOf(files[i]));
        hashes.push_back(t->audioHash);
    }
    EXPECT_FALSE(prefetcher.next());
    EXPECT_NE(hashes[0], hashes[1]);
}

TEST(TrackPrefetcher, StopsWhenCancelledAndWhenDestroyedEarly) {
    const auto dir = test::scratchDir("prefetcher_cancel");
    std::vector<fs::path> files(20, dir / "t.wav");
    ASSERT_TRUE(test::writeSound(files[0], SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, test::sineFrames(16000, 1, 16000, 440.0)));
    CancelToken cancel;
    {
        TrackPrefetcher prefetcher(files, {}, &cancel);
        ASSERT_TRUE(prefetcher.next());
        cancel.cancel();
        EXPECT_FALSE(prefetcher.next());
    }
    cancel.reset();
    { TrackPrefetcher dropped(files, {}, &cancel); } // joins without hanging
    SUCCEED();
}

} // namespace
} // namespace tagscope::analysis
