// SPDX-License-Identifier: GPL-3.0-or-later
// The analysis pipeline (chunking, batching, streaming, cancellation, attention maps) on tiny
// nets defined in analyzer_test_support.h, so it is tested independently of the real nets.
#include <gtest/gtest.h>

#include "core/model/analyzer.h"
#include "core/model/engine/attention_maps.h"
#include "core/model/engine/chunk_plan.h"
#include "core/model/engine/track_mel.h"
#include "tests/model/analyzer_test_support.h"

using namespace tagscope;
using namespace tagscope::model;

namespace {

/// The net's direct output on `samples[start, start + n)` zero-padded to `n`.
std::vector<float> direct(TaggerNet& net, const dsp::MelSpectrogram& mel, const std::vector<float>& samples,
                          int64_t start, int64_t n) {
    std::vector<float> chunk(size_t(n), 0.0f);
    for (int64_t i = 0; i < n && start + i < int64_t(samples.size()); ++i) chunk[size_t(i)] = samples[size_t(start + i)];
    auto s = mel.decibels(chunk);
    torch::NoGradGuard noGrad;
    auto x = torch::from_blob(s.values.data(), {1, s.nMels, s.nFrames}, torch::kFloat32).clone();
    auto p = net.forward(x).contiguous();
    return {p.data_ptr<float>(), p.data_ptr<float>() + p.numel()};
}

} // namespace

TEST(ChunkPlan, CoversTheTrackAsDocumented) {
    auto exact = planChunks(3000, 1000, 0, true);
    ASSERT_EQ(exact.size(), 3u);
    EXPECT_EQ(exact[2].start, 2000);
    EXPECT_EQ(exact[2].valid, 1000);

    auto padded = planChunks(2500, 1000, 0, true);
    ASSERT_EQ(padded.size(), 3u);
    EXPECT_EQ(padded[2].start, 2000);
    EXPECT_EQ(padded[2].valid, 500);

    EXPECT_EQ(planChunks(2500, 1000, 0, false).size(), 2u);

    // Aligned to the end: a full last chunk overlapping the previous one, no padding.
    auto aligned = planChunks(2500, 1000, 0, true, true);
    ASSERT_EQ(aligned.size(), 3u);
    EXPECT_EQ(aligned[2].start, 1500);
    EXPECT_EQ(aligned[2].valid, 1000);
    EXPECT_EQ(planChunks(3000, 1000, 0, true, true).back().start, 2000); // exact cover unchanged
    EXPECT_EQ(planChunks(300, 1000, 0, true, true)[0].valid, 300);        // short track still padded
    EXPECT_EQ(planChunks(2500, 1000, 400, true, true).back().start, 1600); // a hop keeps its grid

    auto shortTrack = planChunks(300, 1000, 0, false);
    ASSERT_EQ(shortTrack.size(), 1u);
    EXPECT_EQ(shortTrack[0].valid, 300);
    EXPECT_TRUE(planChunks(0, 1000, 0, true).empty());

    // Overlap: hop 400 -> starts 0, 400, 800, 1200 full; 1600 would end at 2600 > 2500.
    auto overlap = planChunks(2500, 1000, 400, true);
    ASSERT_EQ(overlap.size(), 5u);
    EXPECT_EQ(overlap[3].start, 1200);
    EXPECT_EQ(overlap[4].start, 1600);
    EXPECT_EQ(overlap[4].valid, 900);
    // Overlap whose last full chunk already reaches the end: no padded chunk.
    EXPECT_EQ(planChunks(2200, 1000, 600, true).size(), 3u); // 0, 600, 1200 (ends 2200)
}

TEST(TrackMel, BlockwiseEqualsWholeTrack) {
    const dsp::MelSpectrogram mel(test::tinyCard().mel);
    const auto audio = test::toneAudio(7.3, 440.0, 0.3f, 0.2f);
    const auto whole = mel.decibels(audio.samples);
    int blocks = 0;
    auto blockwise = trackMel(mel, audio.samples, [&](double) { ++blocks; }, nullptr, 50);
    ASSERT_TRUE(blockwise) << blockwise.error().message;
    EXPECT_GT(blocks, 5);
    ASSERT_EQ(blockwise->nFrames, whole.nFrames);
    ASSERT_EQ(blockwise->nMels, whole.nMels);
    for (size_t i = 0; i < whole.values.size(); ++i) ASSERT_NEAR(blockwise->values[i], whole.values[i], 1e-4) << i;
}

TEST(Analyzer, TaggramEqualsDirectOutputAndTrackScoreIsTheMean) {
    torch::manual_seed(1);
    auto net = std::make_shared<test::MeanPoolNet>(16, 3);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = test::toneAudio(3.5, 1000.0);
    AnalysisOptions opt;
    opt.batchSize = 2;
    auto r = analyzer.analyzeAudio(audio, opt);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->taggram.chunkCount(), 4u);
    EXPECT_DOUBLE_EQ(r->taggram.chunkEndSeconds[3], 3.5);
    EXPECT_NEAR(r->durationSeconds, 3.5, 1e-9);
    EXPECT_EQ(r->tagNames, (std::vector<std::string>{"a", "b", "c"}));
    const dsp::MelSpectrogram mel(test::tinyCard().mel);
    std::vector<double> mean(3, 0.0);
    for (size_t c = 0; c < 4; ++c) {
        // The last chunk ends at the track's end (default alignment): starts at 2.5 s.
        const auto start = std::llround(r->taggram.chunkStartSeconds[c] * 8000);
        EXPECT_EQ(start, c < 3 ? int64_t(c) * 8000 : int64_t(20000));
        const auto want = direct(*net, mel, audio.samples, start, 8000);
        for (size_t t = 0; t < 3; ++t) {
            EXPECT_NEAR(r->taggram.at(c, t), want[t], 1e-6) << "chunk " << c << " tag " << t;
            mean[t] += want[t] / 4.0;
        }
    }
    for (size_t t = 0; t < 3; ++t) EXPECT_NEAR(r->trackScores[t], mean[t], 1e-6);
    EXPECT_EQ(r->mel.nFrames, mel.config().frameCount(audio.samples.size()));
    EXPECT_FALSE(r->attention.has_value());
    // predict() on the same samples agrees.
    std::vector<std::vector<float>> chunks{std::vector<float>(audio.samples.begin(), audio.samples.begin() + 8000)};
    auto p = tagger->predict(chunks);
    ASSERT_TRUE(p) << p.error().message;
    for (size_t t = 0; t < 3; ++t) EXPECT_NEAR((*p)[0][t], r->taggram.at(0, t), 1e-6);
}

TEST(Analyzer, LastChunkPaddedOrDroppedAndShortTrackPadded) {
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    AnalysisOptions drop;
    drop.padLastChunk = false;
    auto dropped = analyzer.analyzeAudio(test::toneAudio(2.5, 500.0), drop);
    ASSERT_TRUE(dropped);
    EXPECT_EQ(dropped->taggram.chunkCount(), 2u);
    AnalysisOptions pad;
    pad.alignLastChunkToEnd = false;
    auto padded = analyzer.analyzeAudio(test::toneAudio(2.5, 500.0), pad);
    ASSERT_TRUE(padded);
    ASSERT_EQ(padded->taggram.chunkCount(), 3u);
    EXPECT_DOUBLE_EQ(padded->taggram.chunkStartSeconds[2], 2.0);
    EXPECT_DOUBLE_EQ(padded->taggram.chunkEndSeconds[2], 2.5);
    auto aligned = analyzer.analyzeAudio(test::toneAudio(2.5, 500.0));
    ASSERT_TRUE(aligned);
    ASSERT_EQ(aligned->taggram.chunkCount(), 3u);
    EXPECT_DOUBLE_EQ(aligned->taggram.chunkStartSeconds[2], 1.5);
    EXPECT_DOUBLE_EQ(aligned->taggram.chunkEndSeconds[2], 2.5);
    auto tiny = analyzer.analyzeAudio(test::toneAudio(0.3, 500.0), drop);
    ASSERT_TRUE(tiny);
    ASSERT_EQ(tiny->taggram.chunkCount(), 1u);
    EXPECT_DOUBLE_EQ(tiny->taggram.chunkEndSeconds[0], 0.3);
}

TEST(Analyzer, ChunkCallbackStreamsEachChunkOnceInOrderBeforeTheEnd) {
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    std::vector<std::string> events;
    std::vector<int> order;
    AnalysisOptions opt;
    opt.batchSize = 2;
    opt.hopSeconds = 0.5;
    auto r = analyzer.analyzeAudio(
        test::toneAudio(4.0, 700.0), opt,
        [&](double f, std::string_view stage) { if (stage == "model") events.push_back("model " + std::to_string(f)); },
        nullptr, [&](const analysis::ChunkPrediction& p) {
            order.push_back(p.index);
            events.push_back("chunk");
            EXPECT_EQ(p.probabilities.size(), 3u);
            EXPECT_DOUBLE_EQ(p.startSeconds, 0.5 * p.index);
        });
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->taggram.chunkCount(), 7u); // 0, 0.5, ..., 3.0
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_DOUBLE_EQ(r->hopSeconds, 0.5);
    // The first chunks arrive before the model stage ends.
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(std::find(events.begin(), events.end(), "chunk") - events.begin() <
                  std::find(events.begin(), events.end(), "model 1.000000") - events.begin(), true);
}

TEST(Analyzer, CancelFromProgressReturnsCancelledPromptly) {
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    CancelToken cancel;
    int chunksSeen = 0;
    AnalysisOptions opt;
    opt.batchSize = 1;
    // Progress is throttled (~20 Hz); a stage's first call (fraction 0) is always forwarded.
    auto r = analyzer.analyzeAudio(
        test::toneAudio(20.0, 700.0), opt,
        [&](double, std::string_view stage) { if (stage == "model") cancel.cancel(); }, &cancel,
        [&](const analysis::ChunkPrediction&) { ++chunksSeen; });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::Cancelled);
    EXPECT_EQ(chunksSeen, 0); // stops before the next batch, not at the end of the track
    // Cancelling from the chunk callback stops after that batch.
    cancel.reset();
    chunksSeen = 0;
    auto fromChunk = analyzer.analyzeAudio(test::toneAudio(20.0, 700.0), opt, {}, &cancel,
                                           [&](const analysis::ChunkPrediction&) { ++chunksSeen; cancel.cancel(); });
    ASSERT_FALSE(fromChunk);
    EXPECT_EQ(fromChunk.error().kind, Error::Kind::Cancelled);
    EXPECT_EQ(chunksSeen, 1);
    cancel.reset();
    cancel.cancel();
    auto before = analyzer.analyzeAudio(test::toneAudio(2.0, 700.0), {}, {}, &cancel);
    ASSERT_FALSE(before);
    EXPECT_EQ(before.error().kind, Error::Kind::Cancelled);
}

TEST(Analyzer, RejectsWrongRateEmptyAudioAndBadHop) {
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    auto wrongRate = analyzer.analyzeAudio(test::toneAudio(1.0, 440.0, 0.5f, 0.0f, 16000));
    ASSERT_FALSE(wrongRate);
    EXPECT_NE(wrongRate.error().message.find("16000 Hz"), std::string::npos);
    audio::AudioBuffer empty;
    empty.sampleRate = 8000;
    ASSERT_FALSE(analyzer.analyzeAudio(empty));
    AnalysisOptions bad;
    bad.hopSeconds = -1.0;
    ASSERT_FALSE(analyzer.analyzeAudio(test::toneAudio(1.0, 440.0), bad));
    auto missing = analyzer.analyzeFile("/nonexistent/song.ogg");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("song.ogg"), std::string::npos);
}

TEST(AttentionRollout, RowsSumToOneAndMatchAHandComputedCase) {
    torch::manual_seed(3);
    std::vector<torch::Tensor> layers;
    for (int l = 0; l < 3; ++l) layers.push_back(torch::softmax(torch::randn({4, 9, 9}), -1));
    const auto r = attentionRollout(layers);
    ASSERT_EQ(r.sizes(), (torch::IntArrayRef{9, 9}));
    EXPECT_TRUE(torch::allclose(r.sum(-1), torch::ones({9}), 1e-5, 1e-6));
    // Two layers, one head, 2 tokens: A1 = [[0.2,0.8],[0.6,0.4]], A2 = [[1,0],[0.5,0.5]].
    // A' = 0.5A + 0.5I (rows already sum to 1): A1' = [[.6,.4],[.3,.7]], A2' = [[1,0],[.25,.75]].
    // R = A2' A1' = [[.6,.4],[.15+.225, .1+.525]] = [[.6,.4],[.375,.625]].
    auto a1 = torch::tensor({0.2f, 0.8f, 0.6f, 0.4f}).view({2, 2});
    auto a2 = torch::tensor({1.0f, 0.0f, 0.5f, 0.5f}).view({2, 2});
    const auto hand = torch::tensor({0.6f, 0.4f, 0.375f, 0.625f}).view({2, 2});
    EXPECT_TRUE(torch::allclose(attentionRollout({a1, a2}), hand, 1e-6, 1e-6));
}

TEST(Analyzer, AttentionMapsCoverTheTrackWithoutPadding) {
    torch::manual_seed(5);
    auto net = std::make_shared<test::TinyAttentionNet>(16, 3, 2);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    AnalysisOptions pad;
    pad.alignLastChunkToEnd = false; // this test is about leaving padded tokens out
    auto r = analyzer.analyzeAudio(test::toneAudio(2.5, 900.0), pad);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->attention.has_value());
    const auto& a = *r->attention;
    EXPECT_EQ(a.layers, 2);
    EXPECT_EQ(a.heads, 2);
    // 63 frames per chunk -> 15 tokens + [CLS]; the padded third chunk keeps tokens starting
    // before 2.5 s: frames 0..31 real (0.5 s = 31.25 frames) -> tokens 1..8.
    const size_t expected = 15 + 15 + 8;
    ASSERT_EQ(a.rollout.values.size(), expected);
    ASSERT_EQ(a.clsRow[1][1].values.size(), expected);
    EXPECT_DOUBLE_EQ(a.rollout.startSeconds.front(), 0.0);
    EXPECT_DOUBLE_EQ(a.rollout.endSeconds.back(), 2.5);
    EXPECT_NEAR(a.rollout.startSeconds[15], 1.0, 1e-9);
    for (size_t i = 0; i < expected; ++i) EXPECT_LT(a.rollout.startSeconds[i], a.rollout.endSeconds[i]);
    // Per chunk, the [CLS] row without its own column sums to 1 - A[0][0] <= 1; the head mean
    // equals the mean of the heads.
    double chunk0 = 0.0;
    for (size_t i = 0; i < 15; ++i) {
        chunk0 += a.rollout.values[i];
        EXPECT_NEAR(a.clsRowMean[0].values[i], 0.5 * (a.clsRow[0][0].values[i] + a.clsRow[0][1].values[i]), 1e-6);
    }
    EXPECT_GT(chunk0, 0.0);
    EXPECT_LT(chunk0, 1.0);
    AnalysisOptions off = pad;
    off.attention = false;
    auto without = analyzer.analyzeAudio(test::toneAudio(2.5, 900.0), off);
    ASSERT_TRUE(without);
    EXPECT_FALSE(without->attention.has_value());
    EXPECT_EQ(without->trackScores, r->trackScores);
}

TEST(Analyzer, FirstChunkArrivesAloneBeforeTheFirstFullBatch) {
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    AnalysisOptions opt;
    opt.batchSize = 4;
    CancelToken cancel;
    int delivered = 0;
    // Cancelling on the first chunk stops before the next batch: with a first batch of one
    // chunk only that chunk has been computed and delivered.
    auto r = analyzer.analyzeAudio(test::toneAudio(5.0, 700.0), opt, {}, &cancel,
                                   [&](const analysis::ChunkPrediction&) { ++delivered; cancel.cancel(); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::Cancelled);
    EXPECT_EQ(delivered, 1);
    // Uncancelled, every chunk still arrives once, in order.
    std::vector<int> order;
    auto full = analyzer.analyzeAudio(test::toneAudio(5.0, 700.0), opt, {}, nullptr,
                                      [&](const analysis::ChunkPrediction& p) { order.push_back(p.index); });
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}
