// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end tests of `tagscope-cli models import|list` with real upstream checkpoints.
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/io/file_util.h"
#include "core/cards/model_card.h"
#include "core/io/safetensors.h"
#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;

TEST(CliModels, ImportInfersArchitectureDatasetAndTagsThenLists) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED("tags/mtat_top50.txt");
    const auto home = test::scratchDir("cli_models_import");
    // No --arch/--dataset/--tags: the keys say FCN, the name says MTAT, the tag list is found
    // in the reference folder's tags/.
    const auto r = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/mtat_fcn.pth").string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("mtat-fcn"), std::string::npos) << r.out;

    // Default folder: $XDG_DATA_HOME/tagscope/models.
    const auto dir = home / "data" / "tagscope" / "models";
    auto card = cards::loadModelCard(dir / "mtat-fcn.json");
    ASSERT_TRUE(card) << card.error().message;
    EXPECT_EQ(card->architecture, "fcn");
    EXPECT_EQ(card->sampleRate, 16000);
    EXPECT_EQ(card->chunkSamples, 464000);
    EXPECT_EQ(card->mel.nFft, 512);
    EXPECT_EQ(card->mel.hopLength, 256);
    EXPECT_EQ(card->mel.nMels, 96);
    EXPECT_DOUBLE_EQ(card->mel.fMax, 8000.0);
    EXPECT_NE(card->license.find("MIT"), std::string::npos);
    EXPECT_NE(card->license.find("sota-music-tagging-models"), std::string::npos);
    auto vocab = tags::loadTagVocabulary(test::sharedPath("tags/mtat_top50.txt"));
    ASSERT_TRUE(vocab);
    ASSERT_EQ(card->vocabularies.size(), 1u);
    EXPECT_EQ(card->vocabularies[0].name, "mtat_top50");
    EXPECT_EQ(card->vocabularies[0].tags, vocab->tags);
    ASSERT_TRUE(card->taxonomyPath);
    EXPECT_TRUE(fs::exists(*card->taxonomyPath));

    auto sha = io::sha256File(card->weightsPath);
    ASSERT_TRUE(sha);
    EXPECT_EQ(card->sha256, *sha);
    auto weights = io::readSafetensors(card->weightsPath);
    ASSERT_TRUE(weights) << weights.error().message;
    EXPECT_TRUE(weights->tensors.count("layer1.conv.weight"));
    EXPECT_TRUE(weights->tensors.count("dense.weight"));
    for (const auto& [key, t] : weights->tensors) EXPECT_FALSE(key.starts_with("spec.")) << key;

    const auto list = test::runCli(home, {"models", "list"});
    ASSERT_EQ(list.exitCode, 0) << list.err;
    EXPECT_NE(list.out.find("mtat-fcn"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("mtat_top50"), std::string::npos) << list.out;
    const auto listJson = test::runCli(home, {"models", "list", "--json"});
    ASSERT_EQ(listJson.exitCode, 0) << listJson.err;
    const auto j = nlohmann::json::parse(listJson.out);
    bool found = false;
    for (const auto& c : j) found = found || c.at("id") == "mtat-fcn";
    EXPECT_TRUE(found) << listJson.out;
}

TEST(CliModels, ImportWithExplicitOptionsIntoAFolder) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/jamendo_musicnn.pth");
    const auto home = test::scratchDir("cli_models_explicit");
    const auto out = home / "elsewhere";
    const auto r = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/jamendo_musicnn.pth").string(),
                                       "--arch", "musicnn", "--dataset", "jamendo", "--tags",
                                       test::sharedPath("tags/jamendo_top50.txt").string(), "--name", "My Musicnn (v2)!",
                                       "--out", out.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // The name becomes a clean id: lower case, no runs of '-', none at the ends.
    auto card = cards::loadModelCard(out / "my-musicnn-v2.json");
    ASSERT_TRUE(card) << card.error().message;
    EXPECT_EQ(card->architecture, "musicnn");
    EXPECT_EQ(card->chunkSamples, 48000);
    EXPECT_EQ(card->hyperParameters.value("dataset", ""), "jamendo");
    EXPECT_EQ(card->vocabularies[0].name, "jamendo_top50");
}

TEST(CliModels, ImportingCrnnWeightsAsFcnFailsWithTheMismatch) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_crnn.pth");
    const auto home = test::scratchDir("cli_models_mismatch");
    const auto ckpt = test::sharedPath("models/upstream/mtat_crnn.pth");
    const auto r = test::runCli(home, {"models", "import", ckpt.string(), "--arch", "fcn", "--out", (home / "out").string()});
    EXPECT_EQ(r.exitCode, 1);
    const auto errLines = test::lines(r.err);
    ASSERT_EQ(errLines.size(), 1u) << r.err;
    EXPECT_EQ(errLines[0].rfind("tagscope-cli: " + ckpt.string() + ": ", 0), 0u) << errLines[0];
    EXPECT_NE(r.err.find("do not fit"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("layer5"), std::string::npos) << r.err;   // names the offending keys
    EXPECT_NE(r.err.find("look like crnn"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(home / "out" / "mtat-fcn.json"));
    EXPECT_FALSE(fs::exists(home / "out" / "mtat-fcn.safetensors"));
}

TEST(CliModels, ImportingAFileThatIsNoCheckpointFails) {
    const auto home = test::scratchDir("cli_models_garbage");
    const auto bad = home / "mtat_fcn.pth";
    std::ofstream(bad) << "this is not a torch checkpoint";
    const auto r = test::runCli(home, {"models", "import", bad.string(), "--out", (home / "out").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err.rfind("tagscope-cli: " + bad.string() + ": ", 0), 0u) << r.err;
    const auto missing = test::runCli(home, {"models", "import", (home / "absent.pth").string()});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("absent.pth"), std::string::npos) << missing.err;
}

TEST(CliModels, ImportWithoutATagListSaysHowToGiveOne) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    const auto home = test::scratchDir("cli_models_notags");
    // A copy far from any tags/ folder, with a name that says nothing about the dataset.
    fs::copy_file(test::sharedPath("models/upstream/mtat_fcn.pth"), home / "best_model.pth");
    const auto r = test::runCli(home, {"models", "import", (home / "best_model.pth").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--dataset"), std::string::npos) << r.err;
    const auto r2 = test::runCli(home, {"models", "import", (home / "best_model.pth").string(), "--dataset", "mtat",
                                        "--out", (home / "out").string()});
    EXPECT_EQ(r2.exitCode, 1);
    EXPECT_NE(r2.err.find("mtat_top50.txt"), std::string::npos) << r2.err;
    EXPECT_NE(r2.err.find("--tags"), std::string::npos) << r2.err;
}

TEST(CliModels, ListReportsAnUnreadableCard) {
    const auto home = test::scratchDir("cli_models_broken");
    fs::create_directories(home / "models");
    std::ofstream(home / "models" / "broken.json") << R"({"id": "broken", "architecture": "fcn", "sample_rate": 16000})";
    const auto r = test::runCli(home, {"models", "list"});
    EXPECT_EQ(r.exitCode, 1);
    const auto errLines = test::lines(r.err);
    ASSERT_EQ(errLines.size(), 1u) << r.err;
    EXPECT_EQ(errLines[0].rfind("tagscope-cli: " + (home / "models" / "broken.json").string() + ": ", 0), 0u) << r.err;
}

TEST(CliModels, ListWithNothingInstalledSaysHowToImport) {
    const auto home = test::scratchDir("cli_models_empty");
    // TAGSCOPE_MODEL_PATH replaces the whole search, so not even the bundled model is found.
    const auto empty = home / "nothing here";
    fs::create_directories(empty);
    setenv("TAGSCOPE_MODEL_PATH", empty.c_str(), 1);
    const auto r = test::runCli(home, {"models", "list"});
    const auto tag = test::runCli(home, {"tag", test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg").string()});
    unsetenv("TAGSCOPE_MODEL_PATH");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("No models installed"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(empty.string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("models import"), std::string::npos) << r.out;
    EXPECT_EQ(tag.exitCode, 3) << tag.err;
    EXPECT_NE(tag.err.find("no model installed"), std::string::npos) << tag.err;
}

} // namespace
} // namespace tagscope
