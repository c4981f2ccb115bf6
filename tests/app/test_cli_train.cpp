// SPDX-License-Identifier: GPL-3.0-or-later
// `tagscope-cli train` end to end on the three CC-BY clips (one per split): corpus list, teacher
// cache (the eight real upstream teachers), a two-step run from the bundled student, evaluation
// and export. The exported card must load and tag, and must name no folder of the training
// machine; an export of weights without a training record must write nothing.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kClips[] = {"audio/Kevin_MacLeod_-_Vibe_Ace.ogg",
                                  "audio/Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.ogg",
                                  "audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg"};
constexpr const char* kSplits[] = {"train", "validation", "test"};

} // namespace

TEST(CliTrain, CachesRunsAndExportsAStudentWhoseCardRecordsItsTrainingButNoMachineFolders) {
    for (const char* clip : kClips) TAGSCOPE_REQUIRE_SHARED(clip);
    TAGSCOPE_REQUIRE_SHARED("models/upstream/msd_fcn.pth");
    const auto home = test::scratchDir("cli_train");
    const auto candidates = home / "candidates.tsv", corpus = home / "corpus.tsv";
    {
        std::ofstream out(candidates);
        for (int i = 0; i < 3; ++i)
            out << test::sharedPath(kClips[i]).string() << "\tpackage" << i << "\t" << kSplits[i] << "\n";
    }
    auto r = test::runCli(home, {"train", "corpus", "--candidates", candidates.string(), "--output", corpus.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;

    const std::vector<std::string> common = {"--corpus", corpus.string(), "--cache", (home / "cache").string(),
                                             "--teachers", test::sharedPath("models/upstream").string(),
                                             "--threads", "1"};
    auto with = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
        head.insert(head.end(), common.begin(), common.end());
        head.insert(head.end(), tail.begin(), tail.end());
        return head;
    };
    r = test::runCli(home, with({"train", "cache"}, {"--max-windows", "1"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;

    const auto run = home / "run";
    const auto bundled = test::sourceDir() / "models" / "tagscope_mtt_student.safetensors";
    // A vocabulary weight for a vocabulary the student does not have is refused, naming both.
    const auto refused = home / "refused";
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", refused.string(), "--steps", "2", "--vocabulary-weight", "msd=2"}));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("'msd'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("msd_top50"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(refused / "checkpoint.safetensors"));
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", run.string(), "--init", bundled.string(), "--steps", "2",
                                                   "--batch", "2", "--warmup", "1", "--validate-every", "1",
                                                   "--checkpoint-every", "1", "--vocabulary-weight", "msd_top50=1.5",
                                                   "--keep-every", "1"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_TRUE(fs::exists(run / "best_student.safetensors")) << r.err;
    // --keep-every keeps the student of every validated step, with its step and validation loss.
    for (const char* step : {"1", "2"}) {
        const auto snapshot = run / "snapshots" / (std::string("step_00000") + step + ".safetensors");
        ASSERT_TRUE(fs::exists(snapshot)) << snapshot;
        const std::string text = test::readText(snapshot);
        EXPECT_NE(text.find(std::string("\"step\":\"") + step + "\""), std::string::npos) << snapshot;
        EXPECT_NE(text.find("\"validation_loss\""), std::string::npos) << snapshot;
    }
    EXPECT_FALSE(fs::exists(run / "snapshots" / "step_000003.safetensors"));
    // The run records its vocabulary weights (a resumed run rebuilds the tag weights from them).
    EXPECT_EQ(nlohmann::json::parse(std::ifstream(run / "options.json")).at("vocabulary_weights").at("msd_top50"), 1.5);

    // The noise can be turned down and rare windows drawn more often. The run records both, and a
    // resumed run keeps them: the checkpoint holds the options it was written with, and a resume
    // with the defaults would be refused.
    const auto quiet = home / "quiet";
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", quiet.string(), "--init", bundled.string(), "--steps", "2",
                                                   "--until-step", "1", "--batch", "2", "--warmup", "1",
                                                   "--checkpoint-every", "1", "--gain-db", "0", "--frequency-masks",
                                                   "0", "--time-masks", "1", "--dropout", "0.05", "--balance-power", "0.5"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    {
        const auto options = nlohmann::json::parse(std::ifstream(quiet / "options.json"));
        EXPECT_EQ(options.at("gain_db"), 0.0);
        EXPECT_EQ(options.at("frequency_masks"), 0);
        EXPECT_EQ(options.at("time_masks"), 1);
        EXPECT_EQ(options.at("hyper").at("dropout"), 0.05);
        EXPECT_EQ(options.at("balance_power"), 0.5);
    }
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", quiet.string(), "--resume"}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("resumed at step 1"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(quiet / "snapshots")) << "snapshots are kept only when asked for";
    // A resumed run trains on the mixtures it started with: another plan is refused, and the
    // recorded one is read back without being named (here a plan that no longer exists).
    const auto plan = home / "plan.tsv";
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", quiet.string(), "--resume", "--mixtures", plan.string()}));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("without mixtures"), std::string::npos) << r.err;
    {
        auto options = nlohmann::json::parse(std::ifstream(quiet / "options.json"));
        options["mixtures"] = plan.string();
        std::ofstream(quiet / "options.json") << options.dump(2);
    }
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", quiet.string(), "--resume"}));
    EXPECT_NE(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find(plan.string()), std::string::npos) << r.err;
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", quiet.string(), "--resume", "--mixtures",
                                                   (home / "other.tsv").string()}));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("on the mixtures of " + plan.string()), std::string::npos) << r.err;
    // Out-of-range noise is refused before anything is written.
    const auto loud = home / "loud";
    r = test::runCli(home, with({"train", "run"}, {"--run-dir", loud.string(), "--steps", "2", "--dropout", "1.5"}));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_FALSE(fs::exists(loud / "options.json"));

    // The export needs the vocabularies' taxonomies in the models folder it writes to.
    const auto models = home / "exported";
    fs::create_directories(models / "taxonomy");
    for (const char* v : {"mtat_top50", "msd_top50", "jamendo_top50"})
        fs::copy_file(test::sourceDir() / "models" / "taxonomy" / (std::string(v) + ".json"),
                      models / "taxonomy" / (std::string(v) + ".json"));

    // Weights without a training record are refused before anything is written.
    const auto bare = home / "bare.safetensors";
    {
        std::ofstream out(bare, std::ios::binary);
        const std::string header = "{}";
        const uint64_t size = header.size();
        out.write(reinterpret_cast<const char*>(&size), 8);
        out << header;
    }
    r = test::runCli(home, with({"train", "export"}, {"--run-dir", run.string(), "--models-dir", models.string(),
                                                      "--weights", bare.string(), "--card-id", "test-student"}));
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find(bare.string()), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(models / "tagscope_mtt_student.safetensors"));
    EXPECT_FALSE(fs::exists(models / "tagscope_mtt_student.json"));

    // Track chunks shorter than the chunk are refused, before anything is written.
    r = test::runCli(home, with({"train", "export"}, {"--run-dir", run.string(), "--models-dir", models.string(),
                                                      "--chunk-frames", "313", "--track-chunk-frames", "200"}));
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("--track-chunk-frames"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(models / "tagscope_mtt_student.json"));

    // Taggram at 5 s, track tags from 29 s chunks (the teachers' window).
    r = test::runCli(home, with({"train", "export"}, {"--run-dir", run.string(), "--models-dir", models.string(),
                                                      "--chunk-frames", "313", "--track-chunk-frames", "1813",
                                                      "--card-id", "test-student"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto cardPath = models / "tagscope_mtt_student.json";
    ASSERT_TRUE(fs::exists(cardPath)) << r.err;
    const json card = json::parse(test::readText(cardPath));
    EXPECT_EQ(card.at("id"), "test-student");
    EXPECT_EQ(card.at("chunk_samples"), 312 * 256);
    EXPECT_EQ(card.at("track_chunk_samples"), 1812 * 256);
    ASSERT_EQ(card.at("vocabularies").size(), 3u);
    const auto& evaluation = card.at("evaluation");
    EXPECT_EQ(evaluation.at("chunk_frames"), 1813); // the figures are the track tags'
    EXPECT_EQ(evaluation.at("taggram_chunk_frames"), 313);
    EXPECT_TRUE(evaluation.at("test").contains("msd_top50")) << evaluation.at("test").dump();
    const auto& training = evaluation.at("training");
    // The step of the best validation loss (validated at steps 1 and 2).
    EXPECT_GE(training.at("steps").get<int>(), 1);
    EXPECT_LE(training.at("steps").get<int>(), 2);
    EXPECT_GT(training.at("parameters").get<int64_t>(), 100000);
    // The source of the run is named by file and checksum, not by the training machine's path.
    const auto& from = training.at("initialised_from");
    EXPECT_EQ(from.at("path"), "tagscope_mtt_student.safetensors");
    EXPECT_EQ(from.at("sha256").get<std::string>().size(), 64u);
    EXPECT_EQ(card.dump().find(home.string()), std::string::npos) << "the card names a scratch folder";

    // The exported model is a model like any other: it loads and tags.
    r = test::runCli(home, {"--model", cardPath.string(), "--threads", "1", "tag", "--json",
                            test::sharedPath(kClips[2]).string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json tagged = json::parse(r.out).at("tracks").at(0);
    EXPECT_EQ(tagged.at("model").at("id"), "test-student");
    EXPECT_EQ(tagged.at("vocabularies").size(), 3u);
    EXPECT_DOUBLE_EQ(tagged.at("chunk_seconds").get<double>(), 312 * 256 / 16000.0);
    // The clip (61 s) holds two track chunks of 29 s and an end-aligned third.
    EXPECT_DOUBLE_EQ(tagged.at("track_chunk_seconds").get<double>(), 1812 * 256 / 16000.0);
}
