// SPDX-License-Identifier: GPL-3.0-or-later
// Attention taggers (MTT, CNNSA): weight-loading failures, attention capture / forcing, token
// geometry, encode/decode split, gradients and hyper-parameter validation.
#include <gtest/gtest.h>

#include <string>

#include "core/model/nets/cnnsa.h"
#include "core/model/nets/music_tagging_transformer.h"
#include "tests/model/attention_test_support.h"
#include "tests/support/test_paths.h"

namespace tagscope::model {
namespace {

using test::sharedPath;

const nlohmann::json kTinyMtt = {{"conv_ndim", 4}, {"attention_ndim", 16}, {"attention_nheads", 4},
                                 {"attention_nlayers", 3}};
const nlohmann::json kTinyCnnsa = {{"n_channels", 8}, {"num_attention_heads", 4}, {"intermediate_size", 32}};

std::shared_ptr<TaggerNet> makeNet(const std::string& arch, const nlohmann::json& hyper) {
    auto net = createNet(arch, hyper, 10);
    EXPECT_TRUE(net) << (net ? "" : net.error().message);
    if (!net) return nullptr;
    (*net)->eval();
    return *net;
}

// Both architectures, small enough for quick tests; random weights.
std::vector<std::shared_ptr<TaggerNet>> tinyNets() {
    torch::manual_seed(7);
    return {makeNet("mtt", kTinyMtt), makeNet("cnnsa", kTinyCnnsa)};
}

torch::Tensor randomMel(int64_t batch, int64_t frames) { return torch::randn({batch, 128, frames}) * 20 - 40; }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(AttentionWeights, SmallCheckpointIntoTeacherNetNamesFileKeysAndShapes) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    const auto path = sharedPath("golden/mtt_small.ckpt");
    auto weights = readWeights(path);
    ASSERT_TRUE(weights) << weights.error().message;
    auto teacher = createNet("mtt", {{"conv_ndim", 128}, {"attention_ndim", 256}}, 50);
    ASSERT_TRUE(teacher);
    const auto r = loadStateDict(**teacher, *weights, path, "network.");
    ASSERT_FALSE(r);
    const auto& msg = r.error().message;
    EXPECT_EQ(r.error().kind, Error::Kind::Mismatch);
    EXPECT_TRUE(contains(msg, "mtt_small.ckpt")) << msg;
    EXPECT_TRUE(contains(msg, "network.pos_embedding (file [1, 513, 64], model [1, 513, 256])")) << msg;
    EXPECT_TRUE(contains(msg, "network.frontend.layer1.conv_1.weight (file [16, 1, 3, 3], model [128, 1, 3, 3])"))
        << msg;
}

TEST(AttentionWeights, MissingKeyIsNamed) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    const auto path = sharedPath("golden/mtt_small.ckpt");
    auto weights = readWeights(path);
    ASSERT_TRUE(weights) << weights.error().message;
    auto net = createNet("mtt", {{"conv_ndim", 16}, {"attention_ndim", 64}}, 50);
    ASSERT_TRUE(net);
    ASSERT_TRUE(loadStateDict(**net, *weights, path, "network.")) << "the complete file must load";
    ASSERT_EQ(weights->erase("network.transformer.layers.2.0.fn.fn.to_qkv.weight"), 1u);
    const auto r = loadStateDict(**net, *weights, path, "network.");
    ASSERT_FALSE(r);
    EXPECT_TRUE(contains(r.error().message, "missing keys network.transformer.layers.2.0.fn.fn.to_qkv.weight"))
        << r.error().message;
}

TEST(AttentionWeights, CnnsaCheckpointIntoMttIsRejected) {
    TAGSCOPE_REQUIRE_SHARED("golden/cnnsa_random.pth");
    const auto path = sharedPath("golden/cnnsa_random.pth");
    auto weights = readWeights(path);
    ASSERT_TRUE(weights) << weights.error().message;
    auto mtt = createNet("mtt", {}, 50);
    ASSERT_TRUE(mtt);
    for (const char* prefix : {"", "network."}) {
        const auto r = loadStateDict(**mtt, *weights, path, prefix);
        ASSERT_FALSE(r) << "prefix '" << prefix << "'";
        EXPECT_EQ(r.error().kind, Error::Kind::Mismatch);
        EXPECT_TRUE(contains(r.error().message, "cnnsa_random.pth")) << r.error().message;
        EXPECT_TRUE(contains(r.error().message, "missing keys")) << r.error().message;
    }
    auto cnnsa = createNet("cnnsa", {}, 50);
    ASSERT_TRUE(cnnsa);
    EXPECT_TRUE(loadStateDict(**cnnsa, *weights, path)) << "the right architecture must load";
}

TEST(AttentionControl, RowsAreProbabilityDistributions) {
    c10::InferenceMode inference;
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        AttentionControl control;
        control.capture = true;
        const auto mel = randomMel(2, 57);
        net->forward(mel, &control);
        ASSERT_EQ(int(control.captured.size()), net->attentionLayers());
        for (const auto& w : control.captured) {
            const auto n = net->tokenCount(57);
            EXPECT_EQ(w.sizes(), (std::vector<int64_t>{2, net->attentionHeads(), n, n}));
            EXPECT_LE((w.sum(-1) - 1).abs().max().item<double>(), 1e-5);
            EXPECT_GE(w.min().item<double>(), 0.0);
        }
    }
}

TEST(AttentionControl, CaptureDoesNotChangeTheOutput) {
    c10::InferenceMode inference;
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        const auto mel = randomMel(2, 64);
        AttentionControl control;
        control.capture = true;
        const auto plain = net->forward(mel);
        EXPECT_TRUE(torch::equal(plain, net->forward(mel, &control)));
        EXPECT_FALSE(control.captured.empty());
        AttentionControl idle;  // neither capture nor forcing
        EXPECT_TRUE(torch::equal(plain, net->forward(mel, &idle)));
        EXPECT_TRUE(idle.captured.empty());
    }
}

TEST(AttentionControl, ForcedAttentionIsOneHotAndChangesTheOutput) {
    c10::InferenceMode inference;
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        const auto mel = randomMel(2, 80);
        AttentionControl free;
        free.capture = true;
        const auto freeOut = net->forward(mel, &free);

        const int layer = net->attentionLayers() - 1;
        AttentionControl forced;
        forced.capture = true;
        forced.forceLayer = layer;
        forced.forceTokens = torch::tensor({int64_t{3}, int64_t{5}});
        const auto forcedOut = net->forward(mel, &forced);
        EXPECT_GT((forcedOut - freeOut).abs().max().item<double>(), 1e-6);

        const auto& w = forced.captured.at(size_t(layer));
        for (int64_t b = 0; b < 2; ++b) {
            const int64_t token = b == 0 ? 3 : 5;
            EXPECT_TRUE(torch::all(w[b].select(-1, token) == 1).item<bool>());
            EXPECT_EQ(w[b].sum().item<double>(), double(w.size(1) * w.size(2)));
        }
        for (int l = 0; l < layer; ++l)  // earlier layers are untouched
            EXPECT_TRUE(torch::equal(forced.captured[size_t(l)], free.captured[size_t(l)])) << "layer " << l;
    }
}

TEST(AttentionControl, BadForcedTokensThrow) {
    c10::InferenceMode inference;
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        const auto mel = randomMel(2, 40);
        AttentionControl control;
        control.forceLayer = 0;
        control.forceTokens = torch::tensor({int64_t{0}, net->tokenCount(40)});
        EXPECT_THROW(net->forward(mel, &control), c10::Error);
        control.forceTokens = torch::tensor({int64_t{0}});  // one token for two rows
        EXPECT_THROW(net->forward(mel, &control), c10::Error);
    }
}

TEST(AttentionTokens, EncodeDecodeEqualsForwardAndTokenCountMatches) {
    c10::InferenceMode inference;
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        for (int64_t frames : {8, 33, 100}) {
            const auto mel = randomMel(1, frames);
            const auto tokens = net->encode(mel);
            EXPECT_EQ(tokens.size(1), net->tokenCount(frames)) << frames << " frames";
            EXPECT_TRUE(torch::equal(net->decode(tokens, nullptr), net->forward(mel)));
        }
    }
}

TEST(AttentionTokens, FrameSpansTileTheFramesInOrder) {
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        for (int64_t frames : {4, 9, 431, 938}) {
            const auto n = net->tokenCount(frames);
            ASSERT_GE(n, 2);
            EXPECT_EQ(net->tokenFrameSpan(0, frames), (std::pair<int64_t, int64_t>{0, frames}));
            int64_t expectedFirst = 0;
            for (int64_t t = 1; t < n; ++t) {
                const auto [first, last] = net->tokenFrameSpan(t, frames);
                EXPECT_EQ(first, expectedFirst) << "token " << t << " of " << frames << " frames";
                EXPECT_GT(last, first);
                expectedFirst = last;
            }
            EXPECT_EQ(expectedFirst, frames);
        }
    }
}

TEST(AttentionTokens, GradientReachesTheInputInTrainingMode) {
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        net->train();
        auto mel = randomMel(2, 48).requires_grad_(true);
        AttentionControl control;
        control.capture = true;
        net->forward(mel, &control).sum().backward();
        ASSERT_TRUE(mel.grad().defined());
        EXPECT_GT(mel.grad().abs().sum().item<double>(), 0.0);
        EXPECT_TRUE(control.captured.front().requires_grad()) << "captured maps keep their graph when grad is on";
    }
}

TEST(AttentionTokens, WrongInputShapeOrLengthThrows) {
    c10::InferenceMode inference;
    for (const auto& net : tinyNets()) {
        ASSERT_TRUE(net);
        EXPECT_THROW(net->forward(torch::zeros({1, 96, 40})), c10::Error);
        EXPECT_THROW(net->forward(torch::zeros({128, 40})), c10::Error);
    }
    auto shortMemory = createNet("mtt", {{"conv_ndim", 4}, {"attention_ndim", 16}, {"attention_max_len", 8}}, 10);
    ASSERT_TRUE(shortMemory);
    (*shortMemory)->eval();
    EXPECT_NO_THROW((*shortMemory)->forward(randomMel(1, 35)));  // 8 tokens fit
    try {
        (*shortMemory)->forward(randomMel(1, 36));
        ADD_FAILURE() << "9 tokens must not fit attention_max_len 8";
    } catch (const c10::Error& e) {
        EXPECT_TRUE(contains(e.what(), "too long")) << e.what();
    }
}

TEST(AttentionHyperParameters, BadValuesAreErrors) {
    const auto check = [](const std::string& arch, const nlohmann::json& hyper, const std::string& part) {
        const auto r = createNet(arch, hyper, 50);
        ASSERT_FALSE(r) << hyper.dump();
        EXPECT_TRUE(contains(r.error().message, part)) << r.error().message;
    };
    check("mtt", {{"attention_ndim", 60}, {"attention_nheads", 8}}, "attention_nheads");
    check("mtt", {{"n_seq_cls", 40}}, "n_seq_cls");
    check("mtt", {{"conv_ndim", "many"}}, "conv_ndim");
    check("mtt", {{"attention_nlayers", 0}}, "attention_nlayers");
    check("cnnsa", {{"n_mels", 256}}, "128 mel bands");
    check("cnnsa", {{"n_class", 10}}, "n_class");
    auto defaults = createNet("mtt", nullptr, 50);
    ASSERT_TRUE(defaults);
    EXPECT_EQ((*defaults)->attentionLayers(), 4);
    EXPECT_EQ((*defaults)->attentionHeads(), 8);
}

} // namespace
} // namespace tagscope::model
