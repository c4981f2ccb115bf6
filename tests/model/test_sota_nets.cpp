// SPDX-License-Identifier: GPL-3.0-or-later
// FCN / MusiCNN / CRNN without reference files: hyper-parameters, shapes, input checks and
// batch-norm folding with random weights and random (non-trivial) batch-norm statistics.
#include <gtest/gtest.h>

#include <string>

#include "core/model/nets/tagger_net.h"

namespace tagscope::model {
namespace {

std::vector<int64_t> shapeOf(TaggerNet& net, const std::string& key) {
    const auto sd = stateDict(net);
    const auto it = sd.find(key);
    return it == sd.end() ? std::vector<int64_t>{} : it->second.shape;
}

/// Random weights and batch-norm statistics far from the identity, so folding has work to do.
void randomize(TaggerNet& net) {
    torch::NoGradGuard noGrad;
    torch::manual_seed(7);
    for (auto& p : net.named_parameters(true)) p.value().copy_(torch::randn_like(p.value()) * 0.1);
    for (auto& b : net.named_buffers(true)) {
        if (b.key().ends_with("running_var")) b.value().copy_(torch::rand_like(b.value()) * 2 + 0.05);
        else if (b.key().ends_with("running_mean")) b.value().copy_(torch::randn_like(b.value()) * 0.5);
    }
}

int64_t framesFor(const std::string& architecture) { return architecture == "musicnn" ? 188 : 1813; }

class SotaNet : public ::testing::TestWithParam<std::string> {};

TEST_P(SotaNet, ProbabilitiesPerTagAndFoldingKeepsOutputs) {
    auto created = createNet(GetParam(), nlohmann::json::object(), 7);
    ASSERT_TRUE(created) << created.error().message;
    auto& net = **created;
    EXPECT_FALSE(net.hasAttention());
    randomize(net);
    net.eval();
    torch::manual_seed(1);
    const auto mel = torch::randn({2, 96, framesFor(GetParam())}) * 15 - 30;

    torch::NoGradGuard noGrad;
    const auto plain = net.forward(mel);
    ASSERT_EQ(plain.sizes(), (std::vector<int64_t>{2, 7}));
    EXPECT_GT(plain.min().item<float>(), 0.0f);
    EXPECT_LT(plain.max().item<float>(), 1.0f);

    net.optimizeForInference();
    const auto folded = net.forward(mel);
    EXPECT_LE((folded - plain).abs().max().item<double>(), 1e-5);
    net.optimizeForInference(); // a second call must not fold again
    EXPECT_LE((net.forward(mel) - plain).abs().max().item<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Architectures, SotaNet, ::testing::Values("fcn", "musicnn", "crnn"));

TEST(SotaNetHyper, MusicnnWidthsFollowDatasetOrExplicitValues) {
    auto mtat = createNet("musicnn", nlohmann::json::object(), 50);
    ASSERT_TRUE(mtat);
    EXPECT_EQ(shapeOf(**mtat, "layer1.conv.weight"), (std::vector<int64_t>{64, 561, 7}));
    EXPECT_EQ(shapeOf(**mtat, "dense1.weight"), (std::vector<int64_t>{200, (561 + 3 * 64) * 2}));

    auto msd = createNet("musicnn", {{"dataset", "msd"}}, 50);
    ASSERT_TRUE(msd);
    EXPECT_EQ(shapeOf(**msd, "layer3.conv.weight"), (std::vector<int64_t>{512, 512, 7}));
    EXPECT_EQ(shapeOf(**msd, "dense1.weight"), (std::vector<int64_t>{500, (561 + 3 * 512) * 2}));
    EXPECT_EQ(shapeOf(**msd, "bn.running_var"), (std::vector<int64_t>{500}));

    auto custom = createNet("musicnn", {{"dataset", "msd"}, {"backend_channels", 32}, {"dense_channels", 16}}, 10);
    ASSERT_TRUE(custom);
    EXPECT_EQ(shapeOf(**custom, "layer2.conv.weight"), (std::vector<int64_t>{32, 32, 7}));
    EXPECT_EQ(shapeOf(**custom, "dense2.weight"), (std::vector<int64_t>{10, 16}));
}

TEST(SotaNetHyper, UpstreamKeyNames) {
    auto crnn = createNet("crnn", nlohmann::json::object(), 50);
    ASSERT_TRUE(crnn);
    EXPECT_EQ(shapeOf(**crnn, "layer5.weight_hh_l1"), (std::vector<int64_t>{96, 32}));
    EXPECT_EQ(shapeOf(**crnn, "spec_bn.running_mean"), (std::vector<int64_t>{1}));
    auto musicnn = createNet("musicnn", nlohmann::json::object(), 50);
    ASSERT_TRUE(musicnn);
    EXPECT_EQ(shapeOf(**musicnn, "layers.0.conv.weight"), (std::vector<int64_t>{204, 1, 67, 7}));
    EXPECT_EQ(shapeOf(**musicnn, "layers.4.conv.weight"), (std::vector<int64_t>{51, 1, 33}));
    auto fcn = createNet("fcn", nlohmann::json::object(), 50);
    ASSERT_TRUE(fcn);
    EXPECT_EQ(shapeOf(**fcn, "layer5.conv.weight"), (std::vector<int64_t>{64, 128, 3, 3}));
}

TEST(SotaNetHyper, BadHyperParametersAreErrorsNamingTheProblem) {
    auto unknown = createNet("fcn", {{"n_channels", 32}}, 50);
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("n_channels"), std::string::npos) << unknown.error().message;

    auto dataset = createNet("musicnn", {{"dataset", "gtzan"}}, 50);
    ASSERT_FALSE(dataset);
    EXPECT_NE(dataset.error().message.find("gtzan"), std::string::npos) << dataset.error().message;

    auto mels = createNet("crnn", {{"n_mels", 128}}, 50);
    ASSERT_FALSE(mels);
    EXPECT_NE(mels.error().message.find("96 mel bands"), std::string::npos) << mels.error().message;

    auto width = createNet("musicnn", {{"backend_channels", -3}}, 50);
    ASSERT_FALSE(width);
    EXPECT_NE(width.error().message.find("backend_channels"), std::string::npos) << width.error().message;

    EXPECT_FALSE(createNet("musicnn", nlohmann::json::array(), 50));
}

TEST(SotaNetInput, WrongMelShapesAreRejectedWithReasons) {
    auto fcn = createNet("fcn", nlohmann::json::object(), 50);
    ASSERT_TRUE(fcn);
    (*fcn)->eval();
    torch::NoGradGuard noGrad;
    try {
        (*fcn)->forward(torch::zeros({1, 96, 188}));
        FAIL() << "a 3 s chunk into FCN must be rejected";
    } catch (const c10::Error& e) {
        EXPECT_NE(std::string(e.what()).find("29.1 s"), std::string::npos) << e.what();
    }
    auto crnn = createNet("crnn", nlohmann::json::object(), 50);
    ASSERT_TRUE(crnn);
    (*crnn)->eval();
    try {
        (*crnn)->forward(torch::zeros({1, 128, 1813}));
        FAIL() << "128 mel bands into CRNN must be rejected";
    } catch (const c10::Error& e) {
        EXPECT_NE(std::string(e.what()).find("96 mel bands"), std::string::npos) << e.what();
    }
}

TEST(SotaNetInput, CrnnAndMusicnnAcceptOtherChunkLengths) {
    for (const std::string arch : {"crnn", "musicnn"}) {
        auto net = createNet(arch, nlohmann::json::object(), 5);
        ASSERT_TRUE(net);
        (*net)->eval();
        torch::NoGradGuard noGrad;
        EXPECT_EQ((*net)->forward(torch::zeros({3, 96, 400})).sizes(), (std::vector<int64_t>{3, 5})) << arch;
    }
}

} // namespace
} // namespace tagscope::model
