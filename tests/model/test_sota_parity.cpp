// SPDX-License-Identifier: GPL-3.0-or-later
// FCN / MusiCNN / CRNN against the upstream PyTorch outputs of the real pretrained weights
// (shared/golden/sota_pretrained.safetensors), through the project's own front end
// (dsp::MelSpectrogram) and weight reader (io::readTorchCheckpoint).
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <span>
#include <string>

#include "core/dsp/mel_spectrogram.h"
#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/nets/musicnn.h"
#include "core/model/nets/tagger_net.h"
#include "tests/support/test_paths.h"

namespace tagscope::model {
namespace {

constexpr const char* kGolden = "golden/sota_pretrained.safetensors";
constexpr double kProbabilityTolerance = 1e-4;
constexpr double kFoldingTolerance = 1e-5;

std::string architectureOf(const std::string& model) { return model.substr(model.find('_') + 1); }
std::string datasetOf(const std::string& model) { return model.substr(0, model.find('_')); }
std::filesystem::path checkpointOf(const std::string& model) {
    return test::sharedPath("models/upstream/" + model + ".pth");
}

torch::Tensor toTorch(const HostTensor& h) {
    return torch::from_blob(const_cast<float*>(h.data.data()), h.shape, torch::kFloat32).clone();
}

/// dB mel (B x 96 x T) of each row of `waveforms` (B x samples) with the project's front end.
torch::Tensor dbMel(const HostTensor& waveforms) {
    const dsp::MelSpectrogram mel(dsp::MelConfig{});
    const auto rows = waveforms.shape.at(0), length = waveforms.shape.at(1);
    std::vector<torch::Tensor> out;
    for (int64_t b = 0; b < rows; ++b) {
        const auto spec = mel.decibels(std::span(waveforms.data.data() + b * length, size_t(length)));
        out.push_back(torch::from_blob(const_cast<float*>(spec.values.data()), {spec.nMels, spec.nFrames}).clone());
    }
    return torch::stack(out);
}

/// Golden tensors, read once per test binary.
const io::SafetensorsFile& golden() {
    static const io::SafetensorsFile file = [] {
        auto r = io::readSafetensors(test::sharedPath(kGolden));
        return r ? *r : io::SafetensorsFile{};
    }();
    return file;
}

/// The mel input of the golden chunks an architecture takes, computed once per chunk length.
const torch::Tensor& goldenMel(const std::string& architecture) {
    static const torch::Tensor mel29 = dbMel(golden().tensors.at("input_29s"));
    static const torch::Tensor mel3 = dbMel(golden().tensors.at("input_3s"));
    return architecture == "musicnn" ? mel3 : mel29;
}

std::shared_ptr<TaggerNet> loadUpstream(const std::string& model) {
    auto net = createNet(architectureOf(model), {{"dataset", datasetOf(model)}}, 50);
    EXPECT_TRUE(net) << net.error().message;
    if (!net) return nullptr;
    auto weights = io::readTorchCheckpoint(checkpointOf(model));
    EXPECT_TRUE(weights) << weights.error().message;
    if (!weights) return nullptr;
    auto loaded = loadStateDict(**net, *weights, checkpointOf(model));
    EXPECT_TRUE(loaded) << loaded.error().message;
    if (!loaded) return nullptr;
    (*net)->eval();
    return *net;
}

double maxAbs(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

class SotaParity : public ::testing::TestWithParam<std::string> {};

TEST_P(SotaParity, MatchesUpstreamProbabilitiesAndFoldsBatchNorms) {
    TAGSCOPE_REQUIRE_SHARED(kGolden);
    TAGSCOPE_REQUIRE_SHARED("models/upstream/" + GetParam() + ".pth");
    ASSERT_TRUE(golden().tensors.count(GetParam())) << "golden file lacks " << GetParam();
    auto net = loadUpstream(GetParam());
    ASSERT_TRUE(net);
    const auto expected = toTorch(golden().tensors.at(GetParam()));
    const auto& mel = goldenMel(architectureOf(GetParam()));

    torch::Tensor plain, folded;
    {
        torch::NoGradGuard noGrad;
        plain = net->forward(mel);
    }
    ASSERT_EQ(plain.sizes(), expected.sizes());
    const double error = maxAbs(plain, expected);
    std::cout << "[ parity ] " << GetParam() << " max |p - p_upstream| = " << error << "\n";
    EXPECT_LE(error, kProbabilityTolerance);
    // NOTE: a net that ignores its input would pass a loose check on one chunk; the 4 golden
    // chunks differ, so the outputs must too.
    EXPECT_GT(maxAbs(plain[0], plain[3]), 1e-3);

    const auto before = stateDict(*net);
    net->optimizeForInference();
    {
        torch::NoGradGuard noGrad;
        folded = net->forward(mel);
    }
    const double foldError = maxAbs(folded, plain);
    std::cout << "[ folding ] " << GetParam() << " max |p_folded - p| = " << foldError << "\n";
    EXPECT_LE(foldError, kFoldingTolerance);
    const auto after = stateDict(*net);
    EXPECT_NE(before.at("layer1.conv.weight").data, after.at("layer1.conv.weight").data)
        << "folding left the first convolution unchanged";
}

INSTANTIATE_TEST_SUITE_P(Upstream, SotaParity,
                         ::testing::Values("mtat_fcn", "mtat_musicnn", "mtat_crnn", "msd_fcn", "msd_crnn",
                                           "jamendo_fcn", "jamendo_musicnn", "jamendo_crnn"));

TEST(SotaFolding, InputGradientSurvivesFolding) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_musicnn.pth");
    auto net = loadUpstream("mtat_musicnn");
    ASSERT_TRUE(net);
    const auto mel = torch::randn({2, 96, 188}) * 20 - 40;
    auto gradient = [&] {
        auto x = mel.clone().requires_grad_(true);
        net->forward(x).select(1, 0).sum().backward();
        return x.grad();
    };
    const auto plain = gradient();
    net->optimizeForInference();
    const auto folded = gradient();
    ASSERT_TRUE(folded.defined());
    EXPECT_GT(folded.abs().max().item<double>(), 0.0);
    EXPECT_LE(maxAbs(folded, plain), 1e-4 * std::max(1.0, plain.abs().max().item<double>()));
}

TEST(SotaWeights, FcnCheckpointIntoCrnnNamesFileAndKeys) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    auto net = createNet("crnn", nlohmann::json::object(), 50);
    ASSERT_TRUE(net);
    auto weights = io::readTorchCheckpoint(checkpointOf("mtat_fcn"));
    ASSERT_TRUE(weights) << weights.error().message;
    auto r = loadStateDict(**net, *weights, checkpointOf("mtat_fcn"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::Mismatch);
    const auto& m = r.error().message;
    EXPECT_NE(m.find("mtat_fcn.pth"), std::string::npos) << m;
    EXPECT_NE(m.find("layer5.weight_ih_l0"), std::string::npos) << m; // the GRU is missing
    EXPECT_NE(m.find("unexpected keys layer5.bn."), std::string::npos) << m; // FCN's fifth conv block is extra
    EXPECT_NE(m.find("dense.weight (file [50, 64], model [50, 32])"), std::string::npos) << m;
}

TEST(SotaWeights, MtatMusicnnIntoMsdWidthNamesBothShapes) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_musicnn.pth");
    auto net = createNet("musicnn", {{"dataset", "msd"}}, 50);
    ASSERT_TRUE(net);
    auto weights = io::readTorchCheckpoint(checkpointOf("mtat_musicnn"));
    ASSERT_TRUE(weights) << weights.error().message;
    auto r = loadStateDict(**net, *weights, checkpointOf("mtat_musicnn"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::Mismatch);
    const auto& m = r.error().message;
    EXPECT_NE(m.find("mtat_musicnn.pth"), std::string::npos) << m;
    EXPECT_NE(m.find("layer1.conv.weight (file [64, 561, 7], model [512, 561, 7])"), std::string::npos) << m;
}

} // namespace
} // namespace tagscope::model
