// SPDX-License-Identifier: GPL-3.0-or-later
// Explanations (contribution curves, gradient relevance, faithfulness curves, evidence) on tiny nets
// whose right answers can be derived by hand.
#include <gtest/gtest.h>

#include "core/model/analyzer.h"
#include "core/model/explain/explainers.h"
#include "tests/model/analyzer_test_support.h"

using namespace tagscope;
using namespace tagscope::model;

namespace {

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

TEST(Segments, ScoresRankingAndMergedEvidence) {
    analysis::TimeSeries s;
    s.startSeconds = {0.0, 0.5, 1.5, 3.0};
    s.endSeconds = {0.5, 1.5, 3.0, 3.5};
    s.values = {1.0f, 3.0f, 2.0f, 5.0f};
    // Segments of 1 s over 3.5 s: [0,1): (0.5*1 + 0.5*3)/1 = 2; [1,2): (0.5*3 + 0.5*2) = 2.5;
    // [2,3): 2; [3,3.5): 5.
    const auto sc = segmentScores(s, 3.5, 1.0);
    ASSERT_EQ(sc.size(), 4u);
    EXPECT_DOUBLE_EQ(sc[0], 2.0);
    EXPECT_DOUBLE_EQ(sc[1], 2.5);
    EXPECT_DOUBLE_EQ(sc[2], 2.0);
    EXPECT_DOUBLE_EQ(sc[3], 5.0);
    EXPECT_EQ(rankSegments(sc), (std::vector<size_t>{3, 1, 0, 2}));
    const auto iv = segmentInterval(3, 3.5, 1.0);
    EXPECT_DOUBLE_EQ(iv.second, 3.5);

    const std::vector<double> scores{0.1, 0.9, 0.8, 0.0, 0.7};
    const auto ev = evidenceSegments(scores, 4.6, 1.0, 3);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0], (Interval{1.0, 3.0}));
    EXPECT_EQ(ev[1], (Interval{4.0, 4.6}));
    EXPECT_TRUE(evidenceSegments(scores, 4.6, 1.0, 0).empty());
}

TEST(GradientRelevance, MatchesTheAnalyticGradientOfAMeanPoolNet) {
    // P = sigmoid(s * sum_m W[m] mean_t x[m,t] + b)  =>  dP/dx[m,t] = P(1-P) s W[m] / T.
    const auto card = test::tinyCard(1.024); // 8192 samples = 64 hops: chunks start on frames
    auto net = std::make_shared<test::MeanPoolNet>(16, 3);
    auto tagger = test::tinyTagger(net, card);
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = test::toneAudio(2.0, 1000.0, 0.4f, 0.05f);
    AnalysisOptions padded;
    padded.alignLastChunkToEnd = false; // the expected values below assume the zero-padded layout
    auto r = analyzer.analyzeAudio(audio, padded);
    ASSERT_TRUE(r) << r.error().message;
    ExplainOptions opt;
    opt.faithfulness = false;
    const size_t tag = 1;
    auto e = analyzer.explain(*r, audio, tag, opt);
    ASSERT_TRUE(e) << e.error().message;
    ASSERT_TRUE(e->relevance.has_value());
    const auto& rel = *e->relevance;
    ASSERT_EQ(rel.map.nFrames, r->mel.nFrames);
    EXPECT_FALSE(e->contribution.has_value());
    const dsp::MelSpectrogram mel(card.mel);
    const auto w = net->m_weight.detach();
    for (size_t c = 0; c < 2; ++c) {
        std::vector<float> chunk(8192, 0.0f);
        for (size_t i = 0; i < 8192 && c * 8192 + i < audio.samples.size(); ++i) chunk[i] = audio.samples[c * 8192 + i];
        const auto s = mel.decibels(chunk);
        const float p = r->taggram.at(c, tag);
        const float floor = *std::min_element(s.values.begin(), s.values.end());
        const int valid = c == 0 ? s.nFrames : 1 + int((audio.samples.size() - 8192) / 128);
        for (int f = 0; f < valid && int(c) * 64 + f < rel.map.nFrames; ++f) {
            // Overlap of chunk 0's last frame (64) and chunk 1's first frame: averaged.
            if ((c == 0 && f == 64) || (c == 1 && f == 0)) continue;
            for (int m = 0; m < 16; ++m) {
                const double want = p * (1.0 - p) * test::MeanPoolNet::kScale * w[tag][m].item<double>() / s.nFrames *
                                    (s.at(m, f) - floor);
                ASSERT_NEAR(rel.map.at(m, int(c) * 64 + f), want, 1e-6 + 1e-4 * std::abs(want)) << c << " " << f << " " << m;
            }
        }
    }
    double sum = 0.0;
    for (int m = 0; m < 16; ++m) sum += rel.map.at(m, 10);
    EXPECT_NEAR(rel.perFrame.values[10], sum, 1e-5);
    EXPECT_NEAR(rel.perFrame.startSeconds[10], 9.5 * 0.016, 1e-9);

    opt.smooth = true;
    auto smooth = analyzer.explain(*r, audio, tag, opt);
    ASSERT_TRUE(smooth);
    EXPECT_TRUE(smooth->relevance->smoothed);
    // The mean-pool net is nearly linear, so SmoothGrad stays close to the plain gradient.
    EXPECT_NEAR(smooth->relevance->map.at(7, 20), rel.map.at(7, 20), 0.05 * std::abs(rel.map.at(7, 20)) + 1e-6);
    auto again = analyzer.explain(*r, audio, tag, opt);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->relevance->map.values, smooth->relevance->map.values); // seeded
}

TEST(FaithfulnessCurves, TheToneSegmentFirstBeatsRandomOrderings) {
    // Tag 0 listens to the mel bins around 1 kHz; the tone plays only in [2, 3) s of 12 s.
    auto net = std::make_shared<test::MeanPoolNet>(16, 3, -3.0f);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(12.0, 2.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r) << r.error().message;
    ExplainOptions opt;
    opt.evidenceSegments = 1;
    opt.randomOrderings = 20;
    auto e = analyzer.explain(*r, audio, 0, opt);
    ASSERT_TRUE(e) << e.error().message;
    ASSERT_EQ(e->curves.size(), 2u); // occlusion, gradient (no attention)
    EXPECT_EQ(e->curves[0].method, "occlusion");
    EXPECT_EQ(e->curves[1].method, "gradient");
    for (const auto& c : e->curves) {
        ASSERT_EQ(c.deletion.size(), 5u);
        EXPECT_NEAR(c.deletion[0], r->trackScores[0], 1e-5);
        EXPECT_LT(c.deletion[1], c.deletion[0]);    // the tone segment goes first
        EXPECT_GT(c.insertion[1], c.insertion[0]);  // and comes back first
        EXPECT_EQ(c.randomOrderings, 20);
        // Orderings that also start with the tone segment tie at best: about 1 in 12.
        EXPECT_GE(c.shareBeaten, 0.8) << c.summary();
        EXPECT_GT(c.areaBetween, 0.0);
    }
    EXPECT_FALSE(e->bestMethod.empty());
    ASSERT_NE(e->bestCurve(), nullptr);
    ASSERT_EQ(e->evidenceSegments.size(), 1u);
    EXPECT_EQ(e->evidenceSegments[0], (Interval{2.0, 3.0}));
    std::cout << e->bestCurve()->summary() << "\n";
}

TEST(FaithfulnessCurves, ARankingThatPointsAwayFromTheToneLosesToRandomOrderings) {
    auto net = std::make_shared<test::MeanPoolNet>(16, 3, -3.0f);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(12.0, 2.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r);
    auto& impl = const_cast<Tagger&>(analyzer.tagger()).impl();
    auto track = ChunkedTrack::build(impl, *r, audio, 1.0, nullptr);
    ASSERT_TRUE(track) << track.error().message;
    auto random = randomCurves(impl, *track, analysis::defaultFractions(), 20, 5, {}, nullptr);
    ASSERT_TRUE(random) << random.error().message;
    std::vector<double> wrong(12, 1.0);
    wrong[2] = -1.0; // the tone segment last
    auto c = faithfulnessCurve(impl, *track, 0, "wrong", wrong, *random, nullptr);
    ASSERT_TRUE(c) << c.error().message;
    // Orderings that leave the tone out of their top 40% tie with it at best.
    EXPECT_LE(c->shareBeaten, 0.6) << c->summary();
    EXPECT_EQ(c->verdict, analysis::FaithfulnessVerdict::Chance);
    EXPECT_LT(c->areaBetween, 0.0);
    std::vector<double> tooShort(5, 0.0);
    EXPECT_FALSE(faithfulnessCurve(impl, *track, 0, "short", tooShort, *random, nullptr));
}

TEST(ChunkedTrack, MaskedProbabilitiesEqualRunningEveryMaskedChunk) {
    // Overlapping chunks of 1 s every 0.5 s, segments of 0.75 s: masks cut chunks anywhere.
    auto net = std::make_shared<test::MeanPoolNet>(16, 3, 0.5f);
    auto tagger = test::tinyTagger(net, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(4.2, 1.0);
    AnalysisOptions aopt;
    aopt.hopSeconds = 0.5;
    aopt.alignLastChunkToEnd = false;
    auto r = analyzer.analyzeAudio(audio, aopt);
    ASSERT_TRUE(r);
    auto& impl = const_cast<Tagger&>(analyzer.tagger()).impl();
    auto track = ChunkedTrack::build(impl, *r, audio, 0.75, nullptr);
    ASSERT_TRUE(track);
    ASSERT_EQ(track->segmentCount(), 6u); // ceil(4.2 / 0.75)
    const std::vector<std::vector<uint8_t>> masks{{0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}, {0, 1, 0, 0, 1, 0}, {1, 0, 0, 0, 0, 0}};
    auto got = track->maskedTrackProbabilities(impl, masks, nullptr);
    ASSERT_TRUE(got) << got.error().message;
    torch::NoGradGuard noGrad;
    const double frame = impl.card.mel.frameSeconds();
    for (size_t i = 0; i < masks.size(); ++i) {
        std::vector<double> sum(3, 0.0);
        for (size_t c = 0; c < track->chunks().size(); ++c) {
            auto mel = track->mels()[c];
            for (int f = 0; f < mel.nFrames; ++f) {
                const double centre = track->startSeconds(c) + f * frame;
                const auto seg = size_t(centre / 0.75);
                if (centre < 4.2 && masks[i][seg])
                    for (int m = 0; m < mel.nMels; ++m) mel.at(m, f) = track->floorDb(c);
            }
            const auto p = net->forward(melTensor(mel));
            for (int t = 0; t < 3; ++t) sum[size_t(t)] += p[0][t].item<float>();
        }
        for (size_t t = 0; t < 3; ++t)
            EXPECT_NEAR((*got)[i][t], sum[t] / double(track->chunks().size()), 2e-6) << "mask " << i << " tag " << t;
    }
}

TEST(Contribution, ForcedPassesMatchOneRowAtATime) {
    torch::manual_seed(11);
    const auto card = test::tinyCard(3.0); // 188 frames -> [CLS] + 47 tokens -> 47 forced rows (2 batches)
    auto net = std::make_shared<test::TinyAttentionNet>(16, 3, 2);
    auto tagger = test::tinyTagger(net, card);
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(4.0, 1.0);
    AnalysisOptions padded;
    padded.alignLastChunkToEnd = false; // the expected values below assume the zero-padded layout
    auto r = analyzer.analyzeAudio(audio, padded);
    ASSERT_TRUE(r) << r.error().message;
    ExplainOptions opt;
    opt.gradient = false;
    opt.faithfulness = false;
    auto e = analyzer.explain(*r, audio, 2, opt);
    ASSERT_TRUE(e) << e.error().message;
    ASSERT_TRUE(e->contribution.has_value());
    const auto& curve = *e->contribution;
    // Chunk 1 holds 1 s of audio: tokens starting before 1 s, i.e. 0.064 (t-1) < 1 -> t <= 16.
    ASSERT_EQ(curve.values.size(), 47u + 16u);
    const dsp::MelSpectrogram mel(card.mel);
    torch::NoGradGuard noGrad;
    for (size_t c = 0; c < 2; ++c) {
        std::vector<float> chunk(24000, 0.0f);
        for (size_t i = 0; i < 24000 && c * 24000 + i < audio.samples.size(); ++i) chunk[i] = audio.samples[c * 24000 + i];
        const auto tokens = net->encode(melTensor(mel.decibels(chunk)));
        for (int64_t t : {int64_t(1), int64_t(20), int64_t(33), int64_t(c == 0 ? 47 : 16)}) {
            AttentionControl control;
            control.forceLayer = 1;
            control.forceTokens = torch::tensor({t}, torch::kLong);
            const float want = net->decode(tokens, &control)[0][2].item<float>();
            if (c == 1 && t > 16) continue;
            const size_t at = c * 47 + size_t(t - 1);
            EXPECT_NEAR(curve.values[at], want, 1e-6) << "chunk " << c << " token " << t;
            EXPECT_NEAR(curve.startSeconds[at], 3.0 * double(c) + 0.064 * double(t - 1), 1e-9);
        }
    }
    EXPECT_DOUBLE_EQ(curve.endSeconds.back(), 4.0);
    opt.contributionLayer = 5;
    auto bad = analyzer.explain(*r, audio, 2, opt);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("layer 5"), std::string::npos);
}

TEST(Contribution, ForcingTheOnlyLayerOntoClsEqualsTheClsOnlySequence) {
    // One attention layer: when every query attends only to [CLS], the [CLS] output is what a
    // sequence holding nothing but [CLS] gives (softmax over one key is 1).
    torch::manual_seed(13);
    test::TinyAttentionNet net(16, 3, 1);
    net.eval();
    const dsp::MelSpectrogram mel(test::tinyCard().mel);
    const auto audio = test::toneAudio(1.0, 600.0, 0.3f, 0.1f);
    torch::NoGradGuard noGrad;
    const auto tokens = net.encode(melTensor(mel.decibels(audio.samples)));
    AttentionControl control;
    control.forceLayer = 0;
    control.forceTokens = torch::tensor({int64_t(0)}, torch::kLong);
    const auto forced = net.decode(tokens, &control);
    const auto clsOnly = net.decode(tokens.slice(1, 0, 1), nullptr);
    const auto unforced = net.decode(tokens, nullptr);
    EXPECT_TRUE(torch::allclose(forced, clsOnly, 1e-6, 1e-6));
    EXPECT_FALSE(torch::allclose(forced, unforced, 1e-4, 1e-4)); // forcing changes something
}

TEST(Explain, AttentionModelGivesEveryMethodAndConsistentBaselines) {
    torch::manual_seed(17);
    auto tagger = test::tinyTagger(std::make_shared<test::TinyAttentionNet>(16, 3, 2), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = toneInNoise(5.5, 3.0);
    AnalysisOptions aopt;
    aopt.alignLastChunkToEnd = false;
    aopt.hopSeconds = 0.5; // overlapping chunks
    auto r = analyzer.analyzeAudio(audio, aopt);
    ASSERT_TRUE(r) << r.error().message;
    ExplainOptions opt;
    opt.randomOrderings = 3;
    std::vector<double> fractions;
    auto e = analyzer.explain(*r, audio, 1, opt, [&](double f, std::string_view) { fractions.push_back(f); });
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->tagName, "b");
    ASSERT_TRUE(e->occlusion && e->contribution && e->attribution && e->relevance);
    ASSERT_EQ(e->curves.size(), 5u);
    const std::vector<std::string> methods{"occlusion", "attribution", "contribution", "gradient", "rollout"};
    for (size_t i = 0; i < methods.size(); ++i) {
        const auto& c = e->curves[i];
        EXPECT_EQ(c.method, methods[i]);
        EXPECT_NEAR(c.deletion[0], r->trackScores[1], 1e-5);
        EXPECT_EQ(c.segmentCount, 6u);
        EXPECT_EQ(c.randomOrderings, 3);
        // All curves share the fully masked start of insertion.
        EXPECT_FLOAT_EQ(c.insertion[0], e->curves[0].insertion[0]);
    }
    EXPECT_EQ(e->bestMethod, e->curves[analysis::mostFaithful(e->curves)].method);
    ASSERT_FALSE(e->evidenceSegments.empty());
    double total = 0.0;
    for (const auto& [s, t] : e->evidenceSegments) {
        EXPECT_LT(s, t);
        EXPECT_LE(t, 5.5);
        total += t - s;
    }
    EXPECT_LE(total, 3.0 + 1e-9); // 3 segments of 1 s, the last one may be clipped
    EXPECT_GE(total, 2.5 - 1e-9);
    ASSERT_FALSE(fractions.empty());
    EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
    EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));

    // Curves added later equal curves computed at once; an occlusion given is reused.
    auto occ = analyzer.occlusion(*r, audio, 1.0);
    ASSERT_TRUE(occ) << occ.error().message;
    opt.faithfulness = false;
    opt.occlusionOfAllTags = &*occ;
    auto quick = analyzer.explain(*r, audio, 1, opt);
    ASSERT_TRUE(quick);
    EXPECT_TRUE(quick->curves.empty());
    EXPECT_EQ(quick->occlusion->values, e->occlusion->values);
    opt.faithfulness = true;
    ASSERT_TRUE(analyzer.addFaithfulness(*r, audio, *quick, opt));
    ASSERT_EQ(quick->curves.size(), 5u);
    EXPECT_EQ(quick->curves[2].deletion, e->curves[2].deletion);
    EXPECT_DOUBLE_EQ(quick->curves[2].shareBeaten, e->curves[2].shareBeaten);
}

TEST(Explain, RejectsBadRequestsAndHonoursCancel) {
    auto tagger = test::tinyTagger(std::make_shared<test::MeanPoolNet>(16, 3), test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    const auto audio = test::toneAudio(3.0, 800.0);
    AnalysisOptions padded;
    padded.alignLastChunkToEnd = false; // the expected values below assume the zero-padded layout
    auto r = analyzer.analyzeAudio(audio, padded);
    ASSERT_TRUE(r);
    auto outOfRange = analyzer.explain(*r, audio, 3);
    ASSERT_FALSE(outOfRange);
    EXPECT_NE(outOfRange.error().message.find("out of range"), std::string::npos);
    auto other = *r;
    other.modelId = "someone-else";
    auto mismatch = analyzer.explain(other, audio, 0);
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().kind, Error::Kind::Mismatch);
    auto wrongAudio = test::toneAudio(1.0, 800.0); // shorter than the analysed track
    auto shortAudio = analyzer.explain(*r, wrongAudio, 0);
    ASSERT_FALSE(shortAudio);
    EXPECT_EQ(shortAudio.error().kind, Error::Kind::Mismatch);
    ExplainOptions zeroSegments;
    zeroSegments.segmentSeconds = 0.0;
    ASSERT_FALSE(analyzer.explain(*r, audio, 0, zeroSegments));

    // Progress is throttled (~20 Hz), so the stage's first call (always forwarded) cancels.
    CancelToken cancel;
    int calls = 0;
    auto cancelled = analyzer.explain(*r, audio, 0, {}, [&](double, std::string_view) { ++calls; cancel.cancel(); },
                                      &cancel);
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error().kind, Error::Kind::Cancelled);
    EXPECT_EQ(calls, 1);
}
