// SPDX-License-Identifier: GPL-3.0-or-later
// Parity of the attention taggers (MTT, CNNSA) with the upstream PyTorch golden outputs, and
// the behaviour of their attention controls and weight loading.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/io/safetensors.h"
#include "core/model/nets/cnnsa.h"
#include "core/model/nets/music_tagging_transformer.h"
#include "tests/support/test_paths.h"
#include "tests/model/attention_test_support.h"

namespace tagscope::model {
namespace {

using test::sharedPath;

constexpr double kTolerance = 1e-4;

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

struct Golden {
    TensorMap tensors;
    torch::Tensor tensor(const std::string& key) const { return toTorch(tensors.at(key)); }
};

Golden readGolden(const std::string& name) {
    auto f = io::readSafetensors(sharedPath("golden/" + name + "_expected.safetensors"));
    EXPECT_TRUE(f) << (f ? "" : f.error().message);
    return Golden{f ? f->tensors : TensorMap{}};
}

std::shared_ptr<TaggerNet> makeLoaded(const std::string& arch, const nlohmann::json& hyper, const std::string& file,
                                      const std::string& prefix) {
    auto net = createNet(arch, hyper, 50);
    EXPECT_TRUE(net) << (net ? "" : net.error().message);
    if (!net) return nullptr;
    auto weights = readWeights(sharedPath("golden/" + file));
    EXPECT_TRUE(weights) << (weights ? "" : weights.error().message);
    if (!weights) return nullptr;
    auto loaded = loadStateDict(**net, *weights, file, prefix);
    EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().message);
    (*net)->eval();
    return *net;
}

// Runs the net on the golden input and compares probabilities and every attention map.
void checkParity(TaggerNet& net, const Golden& golden, const dsp::MelConfig& melConfig, const std::string& label) {
    c10::InferenceMode inference;
    const auto mel = dbMel(golden.tensor("input"), melConfig);
    AttentionControl control;
    control.capture = true;
    const auto out = net.forward(mel, &control);
    const auto expected = golden.tensor("output");
    ASSERT_EQ(out.sizes(), expected.sizes());
    const double outErr = maxAbsDiff(out, expected);
    std::printf("[%s] probabilities max abs error %.3g\n", label.c_str(), outErr);
    EXPECT_LE(outErr, kTolerance);

    ASSERT_EQ(int(control.captured.size()), net.attentionLayers());
    for (int l = 0; l < net.attentionLayers(); ++l) {
        const auto want = golden.tensor("attention_layer" + std::to_string(l));
        ASSERT_EQ(control.captured[size_t(l)].sizes(), want.sizes()) << "layer " << l;
        EXPECT_EQ(want.size(2), net.tokenCount(mel.size(2)));
        const double err = maxAbsDiff(control.captured[size_t(l)], want);
        std::printf("[%s] attention layer %d max abs error %.3g\n", label.c_str(), l, err);
        EXPECT_LE(err, kTolerance) << "layer " << l;
    }
}

const nlohmann::json kSmallHyper = {{"conv_ndim", 16}, {"attention_ndim", 64}, {"attention_nheads", 8},
                                    {"attention_nlayers", 4}, {"n_seq_cls", 50}};
const nlohmann::json kTeacherHyper = {{"conv_ndim", 128}, {"attention_ndim", 256}, {"attention_nheads", 8},
                                      {"attention_nlayers", 4}, {"n_seq_cls", 50}};

TEST(AttentionParity, MusicTaggingTransformerSmallMatchesUpstream) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    auto net = makeLoaded("mtt", kSmallHyper, "mtt_small.ckpt", "network.");
    ASSERT_TRUE(net);
    checkParity(*net, readGolden("mtt_small"), mttMelConfig(), "mtt_small");
}

TEST(AttentionParity, MusicTaggingTransformerTeacherMatchesUpstream) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_teacher.ckpt");
    auto net = makeLoaded("mtt", kTeacherHyper, "mtt_teacher.ckpt", "network.");
    ASSERT_TRUE(net);
    checkParity(*net, readGolden("mtt_teacher"), mttMelConfig(), "mtt_teacher");
}

TEST(AttentionParity, CnnsaMatchesUpstream) {
    TAGSCOPE_REQUIRE_SHARED("golden/cnnsa_random.pth");
    auto net = makeLoaded("cnnsa", {}, "cnnsa_random.pth", "");
    ASSERT_TRUE(net);
    checkParity(*net, readGolden("cnnsa_random"), cnnsaMelConfig(), "cnnsa_random");
}

TEST(AttentionParity, FoldedBatchNormsKeepParity) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    TAGSCOPE_REQUIRE_SHARED("golden/cnnsa_random.pth");
    auto mtt = makeLoaded("mtt", kSmallHyper, "mtt_small.ckpt", "network.");
    auto cnnsa = makeLoaded("cnnsa", {}, "cnnsa_random.pth", "");
    ASSERT_TRUE(mtt && cnnsa);
    mtt->optimizeForInference();
    cnnsa->optimizeForInference();
    checkParity(*mtt, readGolden("mtt_small"), mttMelConfig(), "mtt_small folded");
    checkParity(*cnnsa, readGolden("cnnsa_random"), cnnsaMelConfig(), "cnnsa_random folded");
}

TEST(AttentionParity, CnnsaClsVectorIsNumpySeedZero) {
    TAGSCOPE_REQUIRE_SHARED("golden/cnnsa_random_expected.safetensors");
    const Cnnsa net(CnnsaConfig{});
    const auto golden = readGolden("cnnsa_random").tensor("vec_cls");  // 64 x 1 x 256, rows equal
    ASSERT_EQ(golden.size(2), net.clsVector().size(0));
    for (int64_t row : {int64_t{0}, golden.size(0) - 1})
        EXPECT_TRUE(torch::equal(golden[row][0], net.clsVector())) << "row " << row;
}

} // namespace
} // namespace tagscope::model
