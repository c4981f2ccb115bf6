// SPDX-License-Identifier: GPL-3.0-or-later
// Cards with track chunks (ModelCard::trackChunkSamples): the track's tags come from a second
// pass over longer chunks, the taggram (and so every explanation) from the card's chunks; the
// whole-track and streaming paths agree; cards the net cannot run are refused at load.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/analysis/serialize.h"
#include "core/model/analyzer.h"
#include "core/model/tagger_analyzer.h"
#include "tests/core/test_audio_files.h"
#include "tests/model/analyzer_test_support.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using namespace tagscope::model;

namespace {

/// The mean-pool net, declared length-free (as the MTT is) up to `maxFrames` frames.
class LengthFreeMeanPoolNet : public test::MeanPoolNet {
public:
    LengthFreeMeanPoolNet(int nMels, int nTags, int64_t maxFrames) : MeanPoolNet(nMels, nTags, 0.0f), m_max(maxFrames) {}
    int64_t maxFrames() const override { return m_max; }
    int64_t m_max;
};

/// 1 s taggram chunks, 3 s track chunks.
cards::ModelCard twoChunkCard() {
    auto card = test::tinyCard(1.0, "two-chunk");
    card.trackChunkSamples = 3 * card.chunkSamples;
    return card;
}

std::shared_ptr<Tagger> load(cards::ModelCard card, int64_t maxFrames = 100000) {
    auto net = std::make_shared<LengthFreeMeanPoolNet>(card.mel.nMels, int(card.tagCount()), maxFrames);
    auto tagger = makeTagger(std::move(card), net, {"cpu", 1});
    EXPECT_TRUE(tagger) << tagger.error().message;
    return tagger ? std::shared_ptr<Tagger>(std::move(*tagger)) : nullptr;
}

/// A tone that changes every half second, so each span of the track has its own tags.
audio::AudioBuffer steppedTone(double seconds, int rate = 8000) {
    audio::AudioBuffer a;
    a.sampleRate = rate;
    a.samples.resize(size_t(seconds * rate));
    for (size_t i = 0; i < a.samples.size(); ++i) {
        const double t = double(i) / rate;
        const double f = 300.0 + 350.0 * double(int(t * 2.0) % 7);
        a.samples[i] = float(0.4 * std::sin(2.0 * std::numbers::pi * f * t));
    }
    return a;
}

/// The mean-pool net's formula on samples [start, start + n), written out (not the pipeline's code).
std::vector<double> byFormula(const test::MeanPoolNet& net, const dsp::MelSpectrogram& mel,
                              const std::vector<float>& samples, int64_t start, int64_t n) {
    auto s = mel.decibels(std::span<const float>(samples).subspan(size_t(start), size_t(n)));
    const auto w = net.m_weight.detach(), b = net.m_bias.detach();
    std::vector<double> p(size_t(w.size(0)));
    for (int64_t tag = 0; tag < w.size(0); ++tag) {
        double z = b[tag].item<double>();
        for (int m = 0; m < s.nMels; ++m) {
            double mean = 0.0;
            for (int f = 0; f < s.nFrames; ++f) mean += s.values[size_t(m) * size_t(s.nFrames) + size_t(f)];
            z += test::MeanPoolNet::kScale * w[tag][m].item<double>() * mean / s.nFrames;
        }
        p[size_t(tag)] = 1.0 / (1.0 + std::exp(-z));
    }
    return p;
}

std::vector<double> meanOf(const std::vector<std::vector<double>>& rows) {
    std::vector<double> m(rows.front().size(), 0.0);
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) m[i] += r[i] / double(rows.size());
    return m;
}

} // namespace

TEST(TrackChunks, TrackTagsComeFromTheLongChunksAndTheTaggramStays) {
    auto card = twoChunkCard();
    auto twoPass = load(card);
    auto onePassCard = card;
    onePassCard.trackChunkSamples = 0;
    auto onePass = load(onePassCard);
    ASSERT_TRUE(twoPass && onePass);
    const auto& net = dynamic_cast<const test::MeanPoolNet&>(*twoPass->impl().net);
    const auto audio = steppedTone(7.5); // track chunks [0, 3), [3, 6) and [4.5, 7.5) (end-aligned)
    Analyzer a(twoPass), b(onePass);
    auto two = a.analyzeAudio(audio);
    auto one = b.analyzeAudio(audio);
    ASSERT_TRUE(two && one);

    // The taggram is the card's 1 s chunks, as without track chunks.
    EXPECT_EQ(two->taggram.chunkCount(), 8u);
    EXPECT_EQ(two->taggram.values, one->taggram.values);
    EXPECT_DOUBLE_EQ(two->chunkSeconds, 1.0);
    EXPECT_EQ(one->trackChunkSeconds, 0.0);
    EXPECT_DOUBLE_EQ(two->trackChunkSeconds, 3.0);

    const auto expected = meanOf({byFormula(net, twoPass->impl().mel, audio.samples, 0, 24000),
                                  byFormula(net, twoPass->impl().mel, audio.samples, 24000, 24000),
                                  byFormula(net, twoPass->impl().mel, audio.samples, 36000, 24000)});
    ASSERT_EQ(two->trackScores.size(), expected.size());
    double differs = 0.0;
    for (size_t t = 0; t < expected.size(); ++t) {
        EXPECT_NEAR(two->trackScores[t], expected[t], 2e-5) << "tag " << t;
        differs = std::max(differs, std::abs(double(two->trackScores[t]) - double(one->trackScores[t])));
    }
    EXPECT_GT(differs, 1e-3); // long chunks give other scores than the taggram's mean
    // The hierarchy and the ranking read the track scores.
    EXPECT_EQ(two->ranked(1).at(0).score, *std::max_element(two->trackScores.begin(), two->trackScores.end()));

    // The export says where the track scores come from, and reads it back.
    const auto j = analysis::toJson(*two, &twoPass->card());
    EXPECT_DOUBLE_EQ(j.at("track_chunk_seconds").get<double>(), 3.0);
    EXPECT_FALSE(analysis::toJson(*one, &onePass->card()).contains("track_chunk_seconds"));
    auto back = analysis::analysisFromJson(j, "x.json");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_DOUBLE_EQ(back->trackChunkSeconds, 3.0);
}

TEST(TrackChunks, ShortTracksAreOneChunkOfTheirOwnLengthOrTheTaggramMean) {
    auto twoPass = load(twoChunkCard());
    ASSERT_TRUE(twoPass);
    const auto& net = dynamic_cast<const test::MeanPoolNet&>(*twoPass->impl().net);
    Analyzer a(twoPass);
    // 2.2 s: shorter than a track chunk, longer than a taggram chunk: the whole track, unpadded.
    const auto mid = steppedTone(2.2);
    auto r = a.analyzeAudio(mid);
    ASSERT_TRUE(r);
    const auto whole = byFormula(net, twoPass->impl().mel, mid.samples, 0, int64_t(mid.samples.size()));
    for (size_t t = 0; t < whole.size(); ++t) EXPECT_NEAR(r->trackScores[t], whole[t], 2e-5) << "tag " << t;
    EXPECT_NEAR(r->trackChunkSeconds, 2.2, 1e-9);
    // 0.6 s: not longer than one taggram chunk: its (padded) chunk's scores, as without track chunks.
    const auto tiny = steppedTone(0.6);
    auto s = a.analyzeAudio(tiny);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->trackChunkSeconds, 0.0);
    ASSERT_EQ(s->taggram.chunkCount(), 1u);
    for (size_t t = 0; t < s->trackScores.size(); ++t) EXPECT_EQ(s->trackScores[t], s->taggram.at(0, t));
}

TEST(TrackChunks, StreamingEqualsTheWholeTrackAndHoldsAboutTwoTrackChunks) {
    auto twoPass = load(twoChunkCard());
    ASSERT_TRUE(twoPass);
    Analyzer analyzer(twoPass);
    for (double seconds : {61.3, 9.0, 2.2, 0.6}) {
        SCOPED_TRACE(std::to_string(seconds) + " s");
        const auto audio = steppedTone(seconds);
        const auto path = test::scratchDir("track_chunks_stream") / "t.wav";
        ASSERT_TRUE(test::writeSound(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, audio.samples));
        AnalysisOptions options;
        options.trackMel = false;
        auto whole = analyzer.analyzeFile(path, options);
        ASSERT_TRUE(whole) << whole.error().message;
        TaggerAnalyzer streaming(analyzer, options);
        analysis::AudioAnalyzer* all[] = {&streaming};
        analysis::AnalyzerRunOptions run;
        run.blockFrames = 700; // blocks much smaller than either chunk
        ASSERT_TRUE(analysis::runAnalyzers(path, all, run));
        ASSERT_TRUE(streaming.result());
        const auto& s = *streaming.result();
        EXPECT_EQ(s.taggram.values, whole->taggram.values);
        EXPECT_EQ(s.trackScores, whole->trackScores);
        EXPECT_EQ(s.trackChunkSeconds, whole->trackChunkSeconds);
        if (seconds > 60.0) {
            EXPECT_DOUBLE_EQ(s.trackChunkSeconds, 3.0);
            // Two track chunks, a batch of taggram chunks and a block at most; never the track.
            EXPECT_LE(streaming.peakHeldSamples(), size_t(2 * 24000 + (options.batchSize + 1) * 8000 + 700));
            EXPECT_LT(streaming.peakHeldSamples(), audio.samples.size() / 4);
        }
    }
}

TEST(TrackChunks, CardsTheNetCannotRunAreRefusedAtLoad) {
    // A net built for its chunk length only.
    auto card = twoChunkCard();
    auto fixed = makeTagger(card, std::make_shared<test::MeanPoolNet>(card.mel.nMels, int(card.tagCount())), {"cpu", 1});
    ASSERT_FALSE(fixed);
    EXPECT_NE(fixed.error().message.find("length-free"), std::string::npos) << fixed.error().message;
    EXPECT_NE(fixed.error().message.find("tiny"), std::string::npos) << fixed.error().message;
    // Track chunks longer than the net takes: 3 s are 188 frames of hop 128 at 8 kHz.
    auto net = std::make_shared<LengthFreeMeanPoolNet>(card.mel.nMels, int(card.tagCount()), 150);
    auto tooLong = makeTagger(card, net, {"cpu", 1});
    ASSERT_FALSE(tooLong);
    EXPECT_NE(tooLong.error().message.find("at most 150"), std::string::npos) << tooLong.error().message;
    EXPECT_TRUE(load(card, 188));
}

TEST(TrackChunks, TheBundledStudentRunsWithTrackChunksOfTheTeachersLength) {
    TAGSCOPE_REQUIRE_SHARED("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    auto card = cards::loadModelCard(test::sourceDir() / "models" / "tagscope_mtt_student.json");
    ASSERT_TRUE(card) << card.error().message;
    card->trackChunkSamples = 463872; // 1813 mel frames (29 s), the teachers' window
    auto tagger = Tagger::load(*card, {"cpu", 1});
    ASSERT_TRUE(tagger) << tagger.error().message;
    Analyzer analyzer(std::shared_ptr<Tagger>(std::move(*tagger)));
    const auto clip = test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    AnalysisOptions options;
    options.trackMel = false;
    auto whole = analyzer.analyzeFile(clip, options);
    ASSERT_TRUE(whole) << whole.error().message;
    EXPECT_NEAR(whole->trackChunkSeconds, 28.992, 1e-9);
    TaggerAnalyzer streaming(analyzer, options);
    analysis::AudioAnalyzer* all[] = {&streaming};
    analysis::AnalyzerRunOptions run;
    run.blockFrames = 5000;
    ASSERT_TRUE(analysis::runAnalyzers(clip, all, run));
    ASSERT_TRUE(streaming.result());
    EXPECT_EQ(streaming.result()->trackScores, whole->trackScores);
    EXPECT_EQ(streaming.result()->taggram.values, whole->taggram.values);
    // Beyond what the transformer's positions hold (512 tokens of 4 frames): refused by name.
    card->trackChunkSamples = 40 * 16000;
    auto refused = Tagger::load(*card, {"cpu", 1});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("track_chunk_samples"), std::string::npos) << refused.error().message;
}
