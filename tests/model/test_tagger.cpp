// SPDX-License-Identifier: GPL-3.0-or-later
// Tagger::load: upstream checkpoints and project safetensors, sha256, devices, failure paths.
#include <gtest/gtest.h>

#include <fstream>

#include "core/io/file_util.h"
#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/engine/tagger_impl.h"
#include "core/model/tagger.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using namespace tagscope::model;

namespace {

constexpr const char* kFcn = "models/upstream/mtat_fcn.pth";

cards::ModelCard fcnCard() {
    cards::ModelCard card;
    card.id = "mtat-fcn-test";
    card.architecture = "fcn";
    card.sampleRate = 16000;
    card.chunkSamples = 464000;
    card.mel = {16000, 512, 256, 0.0, 8000.0, 96};
    auto vocab = tags::loadTagVocabulary(test::sharedPath("tags/mtat_top50.txt"));
    if (vocab) card.vocabularies = {*vocab};
    card.weightsPath = test::sharedPath(kFcn);
    return card;
}

std::vector<float> sine(size_t n, double hz, int rate) {
    std::vector<float> s(n);
    for (size_t i = 0; i < n; ++i) s[i] = 0.3f * float(std::sin(2.0 * 3.14159265358979 * hz * double(i) / rate));
    return s;
}

} // namespace

TEST(Tagger, LoadsAnUpstreamCheckpointAndItsSafetensorsCopyAlike) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    auto card = fcnCard();
    ASSERT_EQ(card.tagCount(), 50u);
    auto tagger = Tagger::load(card, {"cpu", 1});
    ASSERT_TRUE(tagger) << tagger.error().message;
    EXPECT_EQ((*tagger)->deviceName(), "cpu");
    EXPECT_FALSE((*tagger)->hasAttention());
    const std::vector<std::vector<float>> chunks{sine(464000, 440.0, 16000)};
    auto p = (*tagger)->predict(chunks);
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_EQ(p->size(), 1u);
    ASSERT_EQ((*p)[0].size(), 50u);

    // The same weights written as safetensors (from an unfolded net) load to the same outputs.
    auto net = createNet("fcn", {}, 50);
    ASSERT_TRUE(net);
    auto weights = io::readTorchCheckpoint(card.weightsPath);
    ASSERT_TRUE(weights);
    ASSERT_TRUE(loadStateDict(**net, *weights, card.weightsPath));
    const auto dir = test::scratchDir("tagger_safetensors");
    ASSERT_TRUE(io::writeSafetensors(dir / "fcn.safetensors", stateDict(**net)));
    auto st = card;
    st.weightsPath = dir / "fcn.safetensors";
    auto digest = io::sha256File(st.weightsPath);
    ASSERT_TRUE(digest);
    st.sha256 = *digest;
    auto again = Tagger::load(st, {"cpu", 1});
    ASSERT_TRUE(again) << again.error().message;
    auto q = (*again)->predict(chunks);
    ASSERT_TRUE(q);
    for (size_t t = 0; t < 50; ++t) EXPECT_NEAR((*q)[0][t], (*p)[0][t], 1e-5);

    auto wrongLength = (*tagger)->predict({std::vector<float>(1000, 0.0f)});
    ASSERT_FALSE(wrongLength);
    EXPECT_NE(wrongLength.error().message.find("464000"), std::string::npos);
}

TEST(Tagger, ChecksumMismatchMissingAndUnreadableWeightsAreClearErrors) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    auto card = fcnCard();
    card.sha256 = std::string(64, '0');
    auto badSum = Tagger::load(card, {"cpu", 1});
    ASSERT_FALSE(badSum);
    EXPECT_EQ(badSum.error().kind, Error::Kind::Mismatch);
    EXPECT_NE(badSum.error().message.find("sha256"), std::string::npos);
    EXPECT_NE(badSum.error().message.find("loading model 'mtat-fcn-test'"), std::string::npos);

    card.sha256.clear();
    card.weightsPath = "/nonexistent/weights.pth";
    auto missing = Tagger::load(card);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, Error::Kind::NotFound);
    EXPECT_NE(missing.error().message.find("weights.pth"), std::string::npos);

    const auto dir = test::scratchDir("tagger_bad_weights");
    std::ofstream(dir / "garbage.pth") << "this is not a torch checkpoint";
    card.weightsPath = dir / "garbage.pth";
    auto garbage = Tagger::load(card);
    ASSERT_FALSE(garbage);
    EXPECT_NE(garbage.error().message.find("garbage.pth"), std::string::npos);

    std::ofstream(dir / "weights.npz") << "x";
    card.weightsPath = dir / "weights.npz";
    auto unknown = Tagger::load(card);
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find(".npz"), std::string::npos);
}

TEST(Tagger, UnusableMelSettingsAreAnError) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    auto card = fcnCard();
    card.mel.fMax = 20000.0; // above Nyquist at 16 kHz
    auto r = Tagger::load(card, {"cpu", 1});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::InvalidInput);
    EXPECT_NE(r.error().message.find("mel"), std::string::npos) << r.error().message;
}

TEST(Tagger, WrongArchitectureForTheWeightsNamesTheKeys) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    auto card = fcnCard();
    card.architecture = "crnn";
    auto r = Tagger::load(card, {"cpu", 1});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::Mismatch);
    EXPECT_NE(r.error().message.find("mtat_fcn.pth"), std::string::npos);
    EXPECT_NE(r.error().message.find("keys"), std::string::npos);
}

TEST(Tagger, UnavailableOrUnknownDevicesAreErrorsNotCrashes) {
    TAGSCOPE_REQUIRE_SHARED(kFcn);
    auto card = fcnCard();
    auto banana = Tagger::load(card, {"banana", 1});
    ASSERT_FALSE(banana);
    EXPECT_NE(banana.error().message.find("banana"), std::string::npos);
    if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA present: the no-CUDA error path cannot be tested";
    for (const char* d : {"cuda", "cuda:1"}) {
        auto r = Tagger::load(card, {d, 1});
        ASSERT_FALSE(r) << d;
        EXPECT_NE(r.error().message.find("no CUDA device"), std::string::npos) << r.error().message;
    }
    auto autoDevice = Tagger::load(card, {"auto", 1});
    ASSERT_TRUE(autoDevice) << autoDevice.error().message;
    EXPECT_EQ((*autoDevice)->deviceName(), "cpu");
}
