// SPDX-License-Identifier: GPL-3.0-or-later
// Occlusion of every tag, time x frequency occlusion, and the gradient-weighted attention
// rollout (Chefer et al. 2021), on tiny nets and matrices whose answers are known by hand.
#include <gtest/gtest.h>

#include <atomic>

#include "core/model/analyzer.h"
#include "core/model/engine/attention_maps.h"
#include "core/model/explain/explainers.h"
#include "tests/model/analyzer_test_support.h"

using namespace tagscope;
using namespace tagscope::model;

namespace {

/// MeanPoolNet that counts the chunks it is run on.
class CountingNet : public test::MeanPoolNet {
public:
    using MeanPoolNet::MeanPoolNet;
    torch::Tensor forward(const torch::Tensor& x, AttentionControl* a = nullptr) override {
        rows += x.size(0);
        return MeanPoolNet::forward(x, a);
    }
    std::atomic<int64_t> rows{0};
};

/// Noise everywhere, a 1 kHz tone only in [toneStart, toneStart + 1) seconds.
audio::AudioBuffer toneInNoise(double seconds, double toneStart) {
    auto a = test::toneAudio(seconds, 1000.0, 0.5f, 0.02f);
    auto noise = test::toneAudio(seconds, 1000.0, 0.0f, 0.02f);
    for (size_t i = 0; i < a.samples.size(); ++i) {
        const double t = double(i) / a.sampleRate;
        if (t < toneStart || t >= toneStart + 1.0) a.samples[i] = noise.samples[i];
    }
    return a;
}

torch::Tensor melTensor(const dsp::Spectrogram& s) {
    return torch::from_blob(const_cast<float*>(s.values.data()), {1, s.nMels, s.nFrames}, torch::kFloat32).clone();
}

} // namespace

TEST(Occlusion, EveryTagsDropEqualsMaskingTheSegmentByHandAndOnlyItsChunksRun) {
    auto net = std::make_shared<CountingNet>(16, 3, -1.0f);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(6.0, 2.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r);
    net->rows = 0;
    auto occ = analyzer.occlusion(*r, audio, 0.5);
    ASSERT_TRUE(occ) << occ.error().message;
    // 6 chunks of 1 s, each holding exactly two 0.5 s segments: one masked run per segment.
    EXPECT_EQ(net->rows.load(), 12);
    ASSERT_EQ(occ->segmentCount(), 12u);
    EXPECT_EQ(occ->tagCount, 3u);
    EXPECT_EQ(occ->maskingValue, analysis::kMaskingValue);
    torch::NoGradGuard noGrad;
    const dsp::MelSpectrogram mel(test::tinyCard(1.0).mel);
    for (size_t j : {size_t(0), size_t(4), size_t(5), size_t(11)}) {
        const size_t c = j / 2;
        std::vector<float> chunk(audio.samples.begin() + long(c * 8000), audio.samples.begin() + long((c + 1) * 8000));
        auto m = mel.decibels(chunk);
        const auto base = net->MeanPoolNet::forward(melTensor(m));
        const float floor = *std::min_element(m.values.begin(), m.values.end());
        for (int f = 0; f < m.nFrames; ++f)
            if (size_t((double(c) + f * 0.016) / 0.5) == j)
                for (int b = 0; b < m.nMels; ++b) m.at(b, f) = floor;
        const auto masked = net->MeanPoolNet::forward(melTensor(m));
        for (int t = 0; t < 3; ++t)
            EXPECT_NEAR(occ->drop(j, size_t(t)), base[0][t].item<float>() - masked[0][t].item<float>(), 2e-6)
                << "segment " << j << " tag " << t;
    }
    // The tone's two segments carry tag 0's evidence.
    const auto curve = occ->curve(0);
    const auto best = std::max_element(curve.values.begin(), curve.values.end()) - curve.values.begin();
    EXPECT_TRUE(best == 4 || best == 5) << best;
    EXPECT_GT(curve.values[4], 10.0f * std::abs(curve.values[0]));
}

TEST(Occlusion, RejectsBadSegmentsAndHonoursCancel) {
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = test::toneAudio(3.0, 800.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r);
    EXPECT_FALSE(analyzer.occlusion(*r, audio, 0.0));
    EXPECT_FALSE(analyzer.occlusion(*r, audio, -1.0));
    CancelToken cancel;
    cancel.cancel();
    auto cancelled = analyzer.occlusion(*r, audio, 1.0, {}, &cancel);
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error().kind, Error::Kind::Cancelled);
}

TEST(TimeFrequencyOcclusion, BandsTheTagIgnoresDropByExactlyNothing) {
    // Tag 0 weighs mel bins 6..9 only: masking bins 0..3 or 12..15 cannot change it.
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3, -1.0f), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(6.0, 2.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r);
    RegionOptions opt;
    opt.bandGroups = 4;
    auto tf = analyzer.explainRegion(*r, audio, 0, 1.5, 3.5, opt);
    ASSERT_TRUE(tf) << tf.error().message;
    ASSERT_EQ(tf->segmentCount(), 3u); // segments 1, 2, 3
    EXPECT_DOUBLE_EQ(tf->startSeconds, 1.0);
    EXPECT_DOUBLE_EQ(tf->endSeconds, 4.0);
    ASSERT_EQ(tf->bandCount(), 4u);
    EXPECT_EQ(tf->bandFirstMel, (std::vector<int>{0, 4, 8, 12}));
    EXPECT_DOUBLE_EQ(tf->bandLowHz.front(), 0.0);
    EXPECT_DOUBLE_EQ(tf->bandHighHz.back(), 4000.0);
    for (size_t b = 1; b < 4; ++b) EXPECT_DOUBLE_EQ(tf->bandLowHz[b], tf->bandHighHz[b - 1]);
    for (size_t s = 0; s < 3; ++s) {
        // (batch sizes differ from the analysis' runs: allow float rounding of the sums)
        EXPECT_NEAR(tf->drop(s, 0), 0.0f, 1e-6);
        EXPECT_NEAR(tf->drop(s, 3), 0.0f, 1e-6);
    }
    // The tone (segment 2, index 1) lies near 1 kHz: mel bins 6..9 straddle groups 1 and 2.
    EXPECT_GT(tf->drop(1, 1) + tf->drop(1, 2), 5.0f * std::abs(tf->drop(0, 1) + tf->drop(0, 2)));
    EXPECT_FALSE(analyzer.explainRegion(*r, audio, 0, 3.0, 2.0, opt));   // ends before it starts
    EXPECT_FALSE(analyzer.explainRegion(*r, audio, 0, 7.0, 8.0, opt));   // outside the track
    opt.bandGroups = 17;
    EXPECT_FALSE(analyzer.explainRegion(*r, audio, 0, 1.0, 2.0, opt));   // more groups than mels
}

TEST(GradientWeightedRollout, MatchesAHandComputation) {
    // Layer 1: A*G = [[.5,-.5],[.5,0]] -> positive part [[.5,0],[.5,0]]; R1 = I + that.
    // Layer 2: A*G = [[.2,.8],[-.6,.4]] -> [[.2,.8],[0,.4]]; R2 = R1 + A2bar R1.
    const auto a1 = torch::tensor({0.5, 0.5, 0.25, 0.75}, torch::kFloat64).view({2, 2});
    const auto g1 = torch::tensor({1.0, -1.0, 2.0, 0.0}, torch::kFloat64).view({2, 2});
    const auto a2 = torch::tensor({0.2, 0.8, 0.6, 0.4}, torch::kFloat64).view({2, 2});
    const auto g2 = torch::tensor({1.0, 1.0, -1.0, 1.0}, torch::kFloat64).view({2, 2});
    const auto r = gradientWeightedRollout({a1, a2}, {g1, g2});
    const auto want = torch::tensor({2.2, 0.8, 0.7, 1.4}, torch::kFloat64).view({2, 2});
    EXPECT_TRUE(torch::allclose(r, want, 1e-12, 1e-12)) << r;

    // Heads: the positive part is taken per head, then averaged (not the other way round).
    const auto heads = torch::stack({a1, a1});
    const auto signedGrads = torch::stack({torch::ones({2, 2}, torch::kFloat64), -torch::ones({2, 2}, torch::kFloat64)});
    const auto rh = gradientWeightedRollout({heads}, {signedGrads});
    EXPECT_TRUE(torch::allclose(rh, torch::eye(2, torch::kFloat64) + 0.5 * a1, 1e-12, 1e-12)) << rh;
    EXPECT_THROW(gradientWeightedRollout({a1}, {}), c10::Error);
}

TEST(GradientWeightedRollout, EqualsPlainRolloutForUnitGradientsAndDiffersForSignedOnes) {
    torch::manual_seed(3);
    std::vector<torch::Tensor> layers, ones, signedGrads;
    for (int l = 0; l < 3; ++l) {
        layers.push_back(torch::softmax(torch::randn({2, 5, 5}, torch::kFloat64), -1));
        ones.push_back(torch::ones({2, 5, 5}, torch::kFloat64));
        // Gradients that reward attention to token 4 and punish attention to token 1.
        auto g = torch::zeros({2, 5, 5}, torch::kFloat64);
        g.select(2, 4).fill_(1.0);
        g.select(2, 1).fill_(-1.0);
        signedGrads.push_back(g);
    }
    // With dP/dA = 1, Abar = A and I + A = 2 * (A + I) / 2: rollout up to a factor 2^L.
    const auto weighted = gradientWeightedRollout(layers, ones);
    const auto plain = attentionRollout(layers).to(torch::kFloat64);
    EXPECT_TRUE(torch::allclose(weighted / 8.0, plain, 1e-6, 1e-6));
    const auto signedRow = gradientWeightedRollout(layers, signedGrads)[0];
    const auto plainRow = plain[0];
    EXPECT_LT(signedRow[1].item<double>(), 1e-12);             // punished token gets nothing
    EXPECT_GT(signedRow[4].item<double>(), signedRow[2].item<double>());
    EXPECT_GT(plainRow[1].item<double>(), 0.01);               // plain rollout still credits it
}

TEST(TransformerAttribution, BatchedChunksEqualOneChunkAtATime) {
    torch::manual_seed(21);
    auto net = std::make_shared<test::TinyAttentionNet>(16, 3, 2);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(3.5, 1.0);
    AnalysisOptions padded;
    padded.alignLastChunkToEnd = false;
    auto r = analyzer.analyzeAudio(audio, padded);
    ASSERT_TRUE(r);
    auto& impl = const_cast<Tagger&>(analyzer.tagger()).impl();
    auto track = ChunkedTrack::build(impl, *r, audio, 1.0, nullptr);
    ASSERT_TRUE(track);
    auto curve = transformerAttribution(impl, *track, 2, {}, nullptr);
    ASSERT_TRUE(curve) << curve.error().message;
    // 63 frames -> 15 tokens per chunk; the last chunk holds 0.5 s: tokens starting before it.
    const int64_t perChunk = net->tokenCount(63) - 1;
    ASSERT_GT(curve->values.size(), size_t(3 * perChunk));
    torch::AutoGradMode grad(true);
    for (size_t c = 0; c < 3; ++c) {
        AttentionControl control;
        control.capture = true;
        const auto out = net->forward(melTensor(track->mels()[c]), &control).select(1, 2).sum();
        const auto grads = torch::autograd::grad({out}, control.captured);
        std::vector<torch::Tensor> a, g;
        for (size_t l = 0; l < grads.size(); ++l) {
            a.push_back(control.captured[l][0]);
            g.push_back(grads[l][0]);
        }
        const auto row = gradientWeightedRollout(a, g)[0];
        for (int64_t t = 1; t <= perChunk; ++t)
            EXPECT_NEAR(curve->values[size_t(int64_t(c) * perChunk + t - 1)], row[t].item<double>(), 1e-5)
                << "chunk " << c << " token " << t;
    }
    auto noAttention = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    auto& plainImpl = const_cast<Tagger&>(*noAttention).impl();
    EXPECT_FALSE(transformerAttribution(plainImpl, *track, 0, {}, nullptr));
}

TEST(FaithfulnessCurves, RandomCurvesAreDrawnOncePerAnalysisAndGiveTheSameCurves) {
    auto net = std::make_shared<CountingNet>(16, 3, -1.0f);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    // NOTE: masked chunks are memoised by which of their segments are masked; with one segment per
    // chunk every curve is free after occlusion. Four 0.25 s segments per 1 s chunk give random
    // orderings mask patterns of their own.
    const auto audio = toneInNoise(6.0, 2.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r);
    ExplainOptions opt;
    opt.gradient = false;
    opt.randomOrderings = 5;
    opt.segmentSeconds = 0.25;
    net->rows = 0;
    auto plain = analyzer.explain(*r, audio, 0, opt);
    ASSERT_TRUE(plain) << plain.error().message;
    const int64_t uncached = net->rows.exchange(0);

    RandomCurveSet cache;
    opt.randomCurves = &cache;
    auto first = analyzer.explain(*r, audio, 0, opt);
    ASSERT_TRUE(first);
    EXPECT_EQ(net->rows.exchange(0), uncached); // the first tag draws them (and fills the cache)
    EXPECT_EQ(cache.orderings(), 5);
    EXPECT_EQ(cache.modelId, r->modelId);
    auto second = analyzer.explain(*r, audio, 1, opt);
    ASSERT_TRUE(second);
    const int64_t reused = net->rows.exchange(0);
    EXPECT_LT(reused, uncached); // the next tag only runs its own rankings' masks
    ASSERT_EQ(first->curves.size(), plain->curves.size());
    for (size_t i = 0; i < plain->curves.size(); ++i) {
        EXPECT_EQ(first->curves[i].deletion, plain->curves[i].deletion);
        EXPECT_DOUBLE_EQ(first->curves[i].shareBeaten, plain->curves[i].shareBeaten);
        EXPECT_EQ(first->curves[i].randomDeletion.mean, plain->curves[i].randomDeletion.mean);
    }
    // The same random curves as drawing them afresh for tag 1.
    opt.randomCurves = nullptr;
    auto fresh = analyzer.explain(*r, audio, 1, opt);
    ASSERT_TRUE(fresh);
    ASSERT_EQ(fresh->curves.size(), second->curves.size());
    for (size_t i = 0; i < fresh->curves.size(); ++i)
        EXPECT_EQ(fresh->curves[i].randomInsertion.mean, second->curves[i].randomInsertion.mean);
    // A cache drawn with another seed (or for another grid) is not reused: it is drawn again.
    opt.randomCurves = &cache;
    opt.seed = 99;
    net->rows = 0;
    ASSERT_TRUE(analyzer.explain(*r, audio, 1, opt));
    EXPECT_GT(net->rows.load(), reused);
    EXPECT_EQ(cache.seed, 99u);
}

TEST(ChunkedTrackMemo, EachMaskingOfAChunkRunsOnceAndGivesWhatAFreshRunGives) {
    auto net = std::make_shared<CountingNet>(16, 3, -1.0f);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(6.0, 2.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r);
    auto& impl = const_cast<Tagger&>(analyzer.tagger()).impl();
    // 6 chunks of 1 s, four 0.25 s segments each (24 segments).
    auto track = ChunkedTrack::build(impl, *r, audio, 0.25, nullptr);
    ASSERT_TRUE(track);
    ASSERT_EQ(track->segmentCount(), 24u);
    std::vector<std::vector<uint8_t>> masks(3, std::vector<uint8_t>(24, 0));
    masks[0][1] = masks[0][9] = 1;               // chunk 0 (one segment), chunk 2 (one)
    masks[1][1] = masks[1][9] = masks[1][10] = 1; // chunk 0 as mask 0; chunk 2 differs
    for (int j = 20; j < 24; ++j) masks[2][size_t(j)] = 1; // chunk 5 entirely
    masks[2][1] = 1;                               // chunk 0 as masks 0 and 1
    net->rows = 0;
    auto together = track->maskedTrackProbabilities(impl, masks, nullptr);
    ASSERT_TRUE(together) << together.error().message;
    // Distinct (chunk, pattern) pairs: chunk 0 {1}, chunk 2 {9}, chunk 2 {9,10}, chunk 5 {all}.
    EXPECT_EQ(net->rows.load(), 4);
    EXPECT_EQ(track->maskedRuns(), 4u);
    for (size_t i = 0; i < masks.size(); ++i) {
        auto fresh = ChunkedTrack::build(impl, *r, audio, 0.25, nullptr);
        ASSERT_TRUE(fresh);
        auto alone = fresh->maskedTrackProbabilities(impl, {masks[i]}, nullptr);
        ASSERT_TRUE(alone);
        for (size_t t = 0; t < 3; ++t)
            EXPECT_NEAR((*together)[i][t], (*alone)[0][t], 1e-6) << "mask " << i << " tag " << t;
        // Masking something changes the tone tag's probability (the memo is not the baseline).
        EXPECT_NE((*alone)[0], track->baselineTrack()) << "mask " << i;
    }
    // Asked again: every chunk's masking is remembered, nothing runs, the same numbers come out.
    net->rows = 0;
    auto again = track->maskedTrackProbabilities(impl, masks, nullptr);
    ASSERT_TRUE(again);
    EXPECT_EQ(net->rows.load(), 0);
    EXPECT_EQ(*again, *together);
}
