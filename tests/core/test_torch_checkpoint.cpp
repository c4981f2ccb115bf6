// SPDX-License-Identifier: GPL-3.0-or-later
// The torch checkpoint reader on the real upstream weights (legacy format) and the golden
// zip checkpoints, checked against the published architectures and independent references.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

const std::vector<std::string> kUpstream{"mtat_fcn", "mtat_musicnn", "mtat_crnn", "msd_fcn",
                                         "msd_crnn", "jamendo_fcn", "jamendo_musicnn", "jamendo_crnn"};

float maxAbsDiff(const HostTensor& a, const HostTensor& b) {
    float m = 0;
    for (size_t i = 0; i < a.data.size() && i < b.data.size(); ++i) m = std::max(m, std::abs(a.data[i] - b.data[i]));
    return m;
}

// torch.hann_window(n) (periodic).
void expectPeriodicHann(const HostTensor& w, int64_t n) {
    ASSERT_EQ(w.shape, std::vector<int64_t>{n});
    for (int64_t i = 0; i < n; ++i)
        EXPECT_NEAR(w.data[size_t(i)], 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * double(i) / double(n)), 1e-6) << i;
}

// Every batch-norm running variance is positive, every counter a non-negative integer.
void expectSaneBatchNorms(const TensorMap& tensors) {
    int found = 0;
    for (const auto& [key, t] : tensors) {
        if (key.ends_with("running_var")) {
            ++found;
            for (float v : t.data) EXPECT_GT(v, 0.0f) << key;
        }
        if (key.ends_with("num_batches_tracked")) {
            EXPECT_TRUE(t.shape.empty()) << key;
            ASSERT_EQ(t.data.size(), 1u) << key;
            EXPECT_GE(t.data[0], 0.0f) << key;
            EXPECT_EQ(t.data[0], std::floor(t.data[0])) << key;
        }
    }
    EXPECT_GT(found, 0);
}

// A conv layer (in -> out channels, 3x3, with bias) followed by a BatchNorm2d.
int64_t convBnParams(int64_t in, int64_t out) { return out * in * 9 + out + 4 * out + 1; }

TEST(TorchCheckpointUpstream, FcnMatchesThePublishedArchitecture) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    const auto path = test::sharedPath("models/upstream/mtat_fcn.pth");
    auto sd = io::readTorchCheckpoint(path);
    ASSERT_TRUE(sd) << sd.error().message;
    // Won et al. FCN: mel front end, 5 conv(3x3)+BN layers 1-64-128-128-128-64, dense 64 -> 50.
    EXPECT_EQ(sd->size(), 44u);
    EXPECT_EQ(sd->at("layer1.conv.weight").shape, (std::vector<int64_t>{64, 1, 3, 3}));
    EXPECT_EQ(sd->at("layer2.conv.weight").shape, (std::vector<int64_t>{128, 64, 3, 3}));
    EXPECT_EQ(sd->at("layer5.conv.weight").shape, (std::vector<int64_t>{64, 128, 3, 3}));
    EXPECT_EQ(sd->at("dense.weight").shape, (std::vector<int64_t>{50, 64}));
    EXPECT_EQ(sd->at("spec.mel_scale.fb").shape, (std::vector<int64_t>{257, 96}));
    expectSaneBatchNorms(*sd);

    auto info = io::inspectTorchCheckpoint(path);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->format, io::TorchCheckpointFormat::Legacy);
    EXPECT_EQ(info->tensorCount, 44u);
    const int64_t frontEnd = 512 + 257 * 96 + 4 + 1; // window, filterbank, spec_bn
    const int64_t expected = frontEnd + convBnParams(1, 64) + convBnParams(64, 128) + convBnParams(128, 128) +
                             convBnParams(128, 128) + convBnParams(128, 64) + 64 * 50 + 50;
    EXPECT_EQ(info->parameterCount, expected);
    EXPECT_EQ(info->topLevelKeys.size(), 44u);
    EXPECT_TRUE(info->stateDictEntry.empty());
}

TEST(TorchCheckpointUpstream, CrnnMatchesThePublishedArchitecture) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/msd_crnn.pth");
    auto info = io::inspectTorchCheckpoint(test::sharedPath("models/upstream/msd_crnn.pth"));
    ASSERT_TRUE(info) << info.error().message;
    // 4 conv+BN layers 1-64-128-128-128, a 2-layer GRU (hidden 32), dense 32 -> 50.
    const int64_t gru = (96 * 128 + 96 * 32 + 2 * 96) + (96 * 32 + 96 * 32 + 2 * 96);
    const int64_t expected = 512 + 257 * 96 + 5 + convBnParams(1, 64) + convBnParams(64, 128) +
                             convBnParams(128, 128) + convBnParams(128, 128) + gru + 32 * 50 + 50;
    EXPECT_EQ(info->tensorCount, 45u);
    EXPECT_EQ(info->parameterCount, expected);
}

TEST(TorchCheckpointUpstream, AllEightModelsReadWithTheGoldenFrontEnd) {
    TAGSCOPE_REQUIRE_SHARED("golden/mel.safetensors");
    auto mel = io::readSafetensors(test::sharedPath("golden/mel.safetensors"));
    ASSERT_TRUE(mel) << mel.error().message;
    const HostTensor& goldenFb = mel->tensors.at("sota96_fb");
    for (const auto& name : kUpstream) {
        SCOPED_TRACE(name);
        TAGSCOPE_REQUIRE_SHARED("models/upstream/" + name + ".pth");
        auto sd = io::readTorchCheckpoint(test::sharedPath("models/upstream/" + name + ".pth"));
        ASSERT_TRUE(sd) << sd.error().message;
        const size_t expectedKeys = name.ends_with("fcn") ? 44u : name.ends_with("crnn") ? 45u : 72u;
        EXPECT_EQ(sd->size(), expectedKeys);
        const HostTensor& fb = sd->at("spec.mel_scale.fb");
        ASSERT_EQ(fb.shape, goldenFb.shape);
        // NOTE: the upstream files were saved by an older torchaudio whose filterbank differs
        // from torchaudio 0.13's (the golden one) by up to 1.5e-5 (checked with torch.load).
        EXPECT_LT(maxAbsDiff(fb, goldenFb), 5e-5f);
        for (float v : fb.data) {
            EXPECT_GE(v, 0.0f);
            EXPECT_LE(v, 1.0f + 1e-6f);
        }
        expectPeriodicHann(sd->at("spec.spectrogram.window"), 512);
        expectSaneBatchNorms(*sd);
        if (name.ends_with("musicnn")) {
            // MusiCNN front end: timbral (vertical) and temporal (horizontal) filters.
            EXPECT_EQ(sd->at("layers.0.conv.weight").shape, (std::vector<int64_t>{204, 1, 67, 7}));
            EXPECT_EQ(sd->at("layers.2.conv.weight").shape, (std::vector<int64_t>{51, 1, 129}));
            EXPECT_EQ(sd->at("dense2.weight").shape, (std::vector<int64_t>{50, 200}));
        } else if (name.ends_with("crnn")) {
            EXPECT_EQ(sd->at("layer5.weight_ih_l0").shape, (std::vector<int64_t>{96, 128}));
            EXPECT_EQ(sd->at("dense.weight").shape, (std::vector<int64_t>{50, 32}));
        }
    }
}

TEST(TorchCheckpointGolden, MusicTaggingTransformerCheckpoints) {
    TAGSCOPE_REQUIRE_SHARED("golden/mel.safetensors");
    auto mel = io::readSafetensors(test::sharedPath("golden/mel.safetensors"));
    ASSERT_TRUE(mel) << mel.error().message;
    // MusicTaggingTransformer(conv_ndim C, attention_ndim D): ResFrontEnd conv 1 -> C, fc to D
    // from C x 16 frequency bins, 4 transformer layers with qkv 3D x D, head D -> 50.
    struct Case { std::string file; int64_t c, d; };
    for (const Case& k : {Case{"golden/mtt_small.ckpt", 16, 64}, Case{"golden/mtt_teacher.ckpt", 128, 256}}) {
        SCOPED_TRACE(k.file);
        TAGSCOPE_REQUIRE_SHARED(k.file);
        const auto path = test::sharedPath(k.file);
        auto all = io::readTorchCheckpoint(path);
        ASSERT_TRUE(all) << all.error().message;
        EXPECT_EQ(all->size(), 108u);
        const TensorMap net = io::selectKeyPrefix(*all, "network.");
        EXPECT_EQ(net.size(), all->size()); // every key carries the prefix
        EXPECT_EQ(net.at("frontend.layer1.conv_1.weight").shape, (std::vector<int64_t>{k.c, 1, 3, 3}));
        EXPECT_EQ(net.at("frontend.fc.weight").shape, (std::vector<int64_t>{k.d, k.c * 16}));
        EXPECT_EQ(net.at("cls_token").shape, (std::vector<int64_t>{k.d}));
        EXPECT_EQ(net.at("transformer.layers.3.0.fn.fn.to_qkv.weight").shape, (std::vector<int64_t>{3 * k.d, k.d}));
        EXPECT_EQ(net.at("mlp_head.1.weight").shape, (std::vector<int64_t>{50, k.d}));
        EXPECT_FALSE(net.count("transformer.layers.4.0.fn.norm.weight"));
        // Freshly initialised LayerNorms: weight 1, bias 0.
        for (float v : net.at("transformer.layers.0.0.fn.norm.weight").data) EXPECT_EQ(v, 1.0f);
        for (float v : net.at("transformer.layers.0.0.fn.norm.bias").data) EXPECT_EQ(v, 0.0f);
        EXPECT_LT(maxAbsDiff(net.at("spec.mel_scale.fb"), mel->tensors.at("mtt128_fb")), 1e-6f);
        expectPeriodicHann(net.at("spec.spectrogram.window"), 1024);
        expectSaneBatchNorms(net);

        auto info = io::inspectTorchCheckpoint(path);
        ASSERT_TRUE(info) << info.error().message;
        EXPECT_EQ(info->format, io::TorchCheckpointFormat::Zip);
        EXPECT_EQ(info->tensorCount, 108u);
        int64_t elements = 0;
        for (const auto& [key, t] : *all) elements += int64_t(t.data.size());
        EXPECT_EQ(info->parameterCount, elements);
    }
}

TEST(TorchCheckpointGolden, CnnSelfAttentionCheckpointIsZipDespiteItsName) {
    TAGSCOPE_REQUIRE_SHARED("golden/cnnsa_random.pth");
    TAGSCOPE_REQUIRE_SHARED("golden/mel.safetensors");
    auto mel = io::readSafetensors(test::sharedPath("golden/mel.safetensors"));
    ASSERT_TRUE(mel) << mel.error().message;
    auto info = io::inspectTorchCheckpoint(test::sharedPath("golden/cnnsa_random.pth"));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->format, io::TorchCheckpointFormat::Zip);
    auto sd = io::readTorchCheckpoint(test::sharedPath("golden/cnnsa_random.pth"));
    ASSERT_TRUE(sd) << sd.error().message;
    EXPECT_EQ(sd->size(), info->tensorCount);
    // CNNSA: 7 residual conv blocks (128 then 256 channels), 2 BERT layers of width 256, dense 256 -> 50.
    EXPECT_EQ(sd->at("layer1.conv_1.weight").shape, (std::vector<int64_t>{128, 1, 3, 3}));
    EXPECT_EQ(sd->at("layer7.conv_3.weight").shape, (std::vector<int64_t>{256, 256, 3, 3}));
    EXPECT_EQ(sd->at("encoder.layer.1.attention.self.query.weight").shape, (std::vector<int64_t>{256, 256}));
    EXPECT_EQ(sd->at("encoder.layer.0.intermediate.dense.weight").shape, (std::vector<int64_t>{1024, 256}));
    EXPECT_EQ(sd->at("dense.weight").shape, (std::vector<int64_t>{50, 256}));
    EXPECT_FALSE(sd->count("encoder.layer.2.attention.self.query.weight"));
    EXPECT_LT(maxAbsDiff(sd->at("spec.mel_scale.fb"), mel->tensors.at("sota128_fb")), 1e-6f);
    // Random init never trained: BatchNorm statistics at their defaults (mean 0, var 1).
    for (float v : sd->at("layer3.bn_2.running_var").data) EXPECT_EQ(v, 1.0f);
    for (float v : sd->at("layer3.bn_2.running_mean").data) EXPECT_EQ(v, 0.0f);
}

TEST(TorchCheckpointGolden, OptionsOnAPlainStateDict) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    const auto path = test::sharedPath("golden/mtt_small.ckpt");
    // A plain state dict has no "state_dict" entry: preferring one changes nothing...
    auto preferred = io::readTorchCheckpoint(path, {"", true});
    ASSERT_TRUE(preferred) << preferred.error().message;
    EXPECT_EQ(preferred->size(), 108u);
    // ...but asking for one explicitly is an error that lists what is there.
    auto missing = io::readTorchCheckpoint(path, {"state_dict", false});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("network.cls_token"), std::string::npos);
    EXPECT_NE(missing.error().message.find("mtt_small.ckpt"), std::string::npos);
}

} // namespace
} // namespace tagscope
