// SPDX-License-Identifier: GPL-3.0-or-later
// The analysis pipeline with real upstream models on real music: taggram parity with upstream
// PyTorch outputs and with the net's direct output, attention maps vs upstream attention,
// gradient relevance of a tone, and the deletion test.
#include <gtest/gtest.h>

#include <cmath>

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/analyzer.h"
#include "core/model/engine/attention_maps.h"
#include "core/model/engine/tagger_impl.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using namespace tagscope::model;

namespace {

constexpr const char* kFcn = "models/upstream/mtat_fcn.pth";
constexpr const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

cards::ModelCard fcnCard() {
    cards::ModelCard card;
    card.id = "mtat-fcn";
    card.architecture = "fcn";
    card.sampleRate = 16000;
    card.chunkSamples = 464000;
    card.mel = {16000, 512, 256, 0.0, 8000.0, 96};
    if (auto v = tags::loadTagVocabulary(test::sharedPath("tags/mtat_top50.txt"))) card.vocabularies = {*v};
    card.weightsPath = test::sharedPath(kFcn);
    return card;
}

std::shared_ptr<Tagger> loadFcn() {
    auto t = Tagger::load(fcnCard(), {"cpu", 2});
    if (!t) ADD_FAILURE() << t.error().message;
    return t ? std::shared_ptr<Tagger>(std::move(*t)) : nullptr;
}

HostTensor golden(const std::string& file, const std::string& key) {
    auto f = io::readSafetensors(test::sharedPath("golden/" + file));
    if (!f || !f->tensors.count(key)) {
        ADD_FAILURE() << "cannot read " << key << " from " << file;
        return {};
    }
    return f->tensors.at(key);
}

} // namespace

TEST(AnalyzerUpstream, FcnTaggramMatchesUpstreamPyTorchChunkByChunk) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    TAGSCOPE_REQUIRE_SHARED("golden/sota_pretrained.safetensors");
    auto tagger = loadFcn();
    ASSERT_TRUE(tagger);
    const auto clip = golden("clip16k.safetensors", "audio");
    const auto want = golden("sota_pretrained.safetensors", "mtat_fcn"); // 4 x 50
    ASSERT_EQ(want.shape, (std::vector<int64_t>{4, 50}));
    // Upstream chunk i = samples [i*hop, i*hop + L) with hop = (len - L) // 4.
    const int64_t hop = (int64_t(clip.data.size()) - 464000) / 4;
    audio::AudioBuffer audio{16000, clip.data};
    AnalysisOptions opt;
    opt.hopSeconds = double(hop) / 16000.0;
    opt.batchSize = 2;
    Analyzer analyzer(tagger);
    auto r = analyzer.analyzeAudio(audio, opt);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_GE(r->taggram.chunkCount(), 4u);
    double worst = 0.0;
    for (size_t c = 0; c < 4; ++c) {
        EXPECT_DOUBLE_EQ(r->taggram.chunkStartSeconds[c], double(int64_t(c) * hop) / 16000.0);
        for (size_t t = 0; t < 50; ++t) worst = std::max(worst, double(std::abs(r->taggram.at(c, t) - want.data[c * 50 + t])));
    }
    std::printf("[fcn taggram vs upstream] max abs error %.3g\n", worst);
    EXPECT_LE(worst, 1e-4);
}

TEST(AnalyzerUpstream, FileTaggramEqualsTheNetsDirectOutputAndDeletionFavoursRelevance) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    TAGSCOPE_REQUIRE_SHARED(kClip);
    auto tagger = loadFcn();
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    audio::AudioBuffer audio;
    std::vector<int> streamed;
    auto r = analyzer.analyzeFile(test::sharedPath(kClip), {}, {}, nullptr,
                                  [&](const analysis::ChunkPrediction& p) { streamed.push_back(p.index); }, &audio);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(audio.sampleRate, 16000);
    ASSERT_EQ(r->taggram.chunkCount(), 3u); // 61 s: two 29 s chunks + one ending at the track's end
    EXPECT_EQ(streamed, (std::vector<int>{0, 1, 2}));

    // Direct: a freshly loaded, unoptimised net on each chunk's samples.
    auto net = createNet("fcn", {}, 50);
    ASSERT_TRUE(net);
    auto weights = io::readTorchCheckpoint(test::sharedPath(kFcn));
    ASSERT_TRUE(weights);
    ASSERT_TRUE(loadStateDict(**net, *weights, kFcn));
    (*net)->eval();
    const dsp::MelSpectrogram mel(fcnCard().mel);
    double worst = 0.0;
    for (size_t c = 0; c < 3; ++c) {
        const auto start = size_t(std::llround(r->taggram.chunkStartSeconds[c] * 16000));
        EXPECT_EQ(start, c < 2 ? c * 464000 : audio.samples.size() - 464000);
        std::vector<float> chunk(464000, 0.0f);
        for (size_t i = 0; i < chunk.size() && start + i < audio.samples.size(); ++i) chunk[i] = audio.samples[start + i];
        auto s = mel.decibels(chunk);
        torch::NoGradGuard noGrad;
        const auto p = (*net)->forward(torch::from_blob(s.values.data(), {1, 96, s.nFrames}, torch::kFloat32).clone());
        for (size_t t = 0; t < 50; ++t) worst = std::max(worst, double(std::abs(p[0][int64_t(t)].item<float>() - r->taggram.at(c, t))));
    }
    std::printf("[fcn taggram vs direct net] max abs error %.3g\n", worst);
    EXPECT_LE(worst, 1e-4);

    // Faithfulness curves of occlusion on the most confident tag: removing the segments it
    // ranks first must lower the tag more than removing random ones, on average.
    const auto top = r->ranked(1).at(0);
    ExplainOptions opt;
    opt.segmentSeconds = 4.0;  // few segments: the FCN runs on 29 s chunks
    opt.gradient = false;
    opt.randomOrderings = 2;
    auto e = analyzer.explain(*r, audio, top.index, opt);
    ASSERT_TRUE(e) << e.error().message;
    ASSERT_EQ(e->curves.size(), 1u);
    const auto& f = e->curves[0];
    std::printf("[faithfulness] %s\n", f.summary().c_str());
    EXPECT_EQ(f.method, "occlusion");
    EXPECT_NEAR(f.deletion[0], top.score, 1e-4);
    EXPECT_LT(f.deletion[2], f.randomDeletion.mean[2]);
    // NOTE: the area between curves also counts the insertion curve; with 4 s segments on 29 s
    // FCN chunks and 2 orderings it is not a stable sign on this clip (measured -0.03), so only
    // its being a number is checked here; the pointing and faithfulness benches measure it.
    EXPECT_TRUE(std::isfinite(f.areaBetween));
    EXPECT_FALSE(e->evidenceSegments.empty());
}

TEST(AnalyzerUpstream, GradientRelevanceOfAToneConcentratesInItsMelBins) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    auto tagger = loadFcn();
    ASSERT_TRUE(tagger);
    Analyzer analyzer(tagger);
    audio::AudioBuffer tone{16000, std::vector<float>(464000)};
    uint32_t state = 3;
    for (size_t i = 0; i < tone.samples.size(); ++i) {
        state = state * 1664525u + 1013904223u;
        const float white = float(state >> 8) / float(1u << 24) * 2.0f - 1.0f;
        tone.samples[i] = 0.3f * float(std::sin(2.0 * 3.14159265358979 * 1500.0 * double(i) / 16000.0)) + 1e-3f * white;
    }
    auto r = analyzer.analyzeAudio(tone);
    ASSERT_TRUE(r) << r.error().message;
    // The tone's mel bin, found from the mel itself.
    int toneBin = 0;
    double best = -1e30;
    for (int m = 0; m < r->mel.nMels; ++m) {
        double sum = 0.0;
        for (int f = 0; f < r->mel.nFrames; ++f) sum += r->mel.at(m, f);
        if (sum > best) best = sum, toneBin = m;
    }
    ExplainOptions opt;
    opt.faithfulness = false;
    auto e = analyzer.explain(*r, tone, r->ranked(1).at(0).index, opt);
    ASSERT_TRUE(e) << e.error().message;
    // |relevance| per mel bin. The tone fills 3 bins (~+30 dB) over a noise floor ~70 dB lower
    // that covers every bin; the tone's bins must be the three most relevant, and their
    // relevance per bin at least twice that of the other bins.
    const auto& map = e->relevance->map;
    std::vector<double> perBin(size_t(map.nMels), 0.0);
    for (int m = 0; m < map.nMels; ++m)
        for (int f = 0; f < map.nFrames; ++f) perBin[size_t(m)] += std::abs(map.at(m, f));
    std::vector<int> order(perBin.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int x, int y) { return perBin[size_t(x)] > perBin[size_t(y)]; });
    double near = 0.0, all = 0.0;
    for (int m = 0; m < map.nMels; ++m) (std::abs(m - toneBin) <= 1 ? near : all) += perBin[size_t(m)];
    const double ratio = (near / 3.0) / (all / double(map.nMels - 3));
    std::printf("[tone relevance] tone bins %d..%d: %.1f%% of |relevance| in 3 of 96 bins, %.1fx the density elsewhere\n",
                toneBin - 1, toneBin + 1, 100.0 * near / (near + all), ratio);
    for (int i = 0; i < 3; ++i) EXPECT_LE(std::abs(order[size_t(i)] - toneBin), 1) << "rank " << i;
    EXPECT_GT(ratio, 2.0);
}

TEST(AnalyzerUpstream, MttAttentionMapsEqualUpstreamAttention) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    cards::ModelCard card;
    card.id = "mtt-small";
    card.architecture = "mtt";
    card.hyperParameters = {{"conv_ndim", 16}, {"attention_ndim", 64}, {"attention_nheads", 8},
                            {"attention_nlayers", 4}, {"n_seq_cls", 50}};
    card.sampleRate = 22050;
    card.chunkSamples = 220500;
    card.mel = {22050, 1024, 512, 0.0, 11025.0, 128};
    if (auto v = tags::loadTagVocabulary(test::sharedPath("tags/msd_cals50.txt"))) card.vocabularies = {*v};
    card.weightsPath = test::sharedPath("golden/mtt_small.ckpt");
    card.weightsKeyPrefix = "network.";
    auto tagger = Tagger::load(card, {"cpu", 2});
    ASSERT_TRUE(tagger) << tagger.error().message;
    const auto input = golden("mtt_small_expected.safetensors", "input");
    const auto output = golden("mtt_small_expected.safetensors", "output");
    audio::AudioBuffer audio{22050, std::vector<float>(input.data.begin(), input.data.begin() + 220500)};
    Analyzer analyzer(std::shared_ptr<Tagger>(std::move(*tagger)));
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->taggram.chunkCount(), 1u);
    for (size_t t = 0; t < 50; ++t) EXPECT_NEAR(r->trackScores[t], output.data[t], 1e-4);
    ASSERT_TRUE(r->attention);
    const auto& a = *r->attention;
    ASSERT_EQ(a.layers, 4);
    std::vector<torch::Tensor> layers;
    for (int l = 0; l < 4; ++l) {
        const auto g = golden("mtt_small_expected.safetensors", "attention_layer" + std::to_string(l));
        ASSERT_EQ(g.shape.size(), 4u);
        const int64_t h = g.shape[1], n = g.shape[2];
        const auto w = torch::from_blob(const_cast<float*>(g.data.data()), g.shape, torch::kFloat32)[0].clone();
        layers.push_back(w);
        ASSERT_EQ(a.clsRow[size_t(l)][0].values.size(), size_t(n - 1));
        for (int64_t hh = 0; hh < h; hh += 3)
            for (int64_t t = 1; t < n; t += 7)
                EXPECT_NEAR(a.clsRow[size_t(l)][size_t(hh)].values[size_t(t - 1)], w[hh][0][t].item<float>(), 1e-4);
        const auto received = w.mean(0).sum(0);
        EXPECT_NEAR(a.receivedMean[size_t(l)].values[5], received[6].item<float>(), 1e-4);
    }
    // Rollout of the upstream attention, computed from the golden weights.
    const auto rollout = attentionRollout(layers);
    EXPECT_TRUE(torch::allclose(rollout.sum(-1), torch::ones({rollout.size(0)}), 1e-5, 1e-5));
    for (size_t t = 0; t < a.rollout.values.size(); ++t)
        EXPECT_NEAR(a.rollout.values[t], rollout[0][int64_t(t + 1)].item<float>(), 1e-4);
    EXPECT_NEAR(a.rollout.endSeconds.back(), 10.0, 1e-9);
}
