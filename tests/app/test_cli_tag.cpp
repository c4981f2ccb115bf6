// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end tests of `tagscope-cli tag` with a real upstream model and a real clip.
#include <cmath>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/audio/audio_decoder.h"
#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

/// Imports the upstream MTAT FCN into `home`'s private model folder.
void importFcn(const fs::path& home) {
    const auto r = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/mtat_fcn.pth").string(),
                                       "--tags", test::sharedPath("tags/mtat_top50.txt").string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
}

TEST(CliTag, UsageErrorsExitWith2) {
    const auto home = test::scratchDir("cli_usage");
    for (const std::vector<std::string>& args : {std::vector<std::string>{}, {"tag"}, {"frobnicate"}, {"tag", "--bogus", "x.ogg"},
                                                {"tag", "--top", "many", "x.ogg"}, {"tag", "--json", "--csv", "x.ogg"},
                                                {"models"}, {"models", "import", "x.pth", "--arch", "resnet"}}) {
        const auto r = test::runCli(home, args);
        std::string joined;
        for (const auto& a : args) joined += a + " ";
        EXPECT_EQ(r.exitCode, 2) << joined << "\n" << r.err;
        EXPECT_EQ(r.err.rfind("tagscope-cli: ", 0), 0u) << joined << "\n" << r.err;
        EXPECT_TRUE(r.out.empty()) << joined;
    }
    const auto help = test::runCli(home, {"--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
}

TEST(CliTag, UnknownModelExitsWith3) {
    const auto home = test::scratchDir("cli_unknown_model");
    const auto r = test::runCli(home, {"--model", "no-such-model", "tag", "x.ogg"});
    EXPECT_EQ(r.exitCode, 3) << r.err;
    EXPECT_NE(r.err.find("no model 'no-such-model'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("models list"), std::string::npos) << r.err;

    const auto badCard = home / "broken.json";
    std::ofstream(badCard) << R"({"id": "x", "architecture": "fcn"})";
    const auto r2 = test::runCli(home, {"--model", badCard.string(), "tag", "x.ogg"});
    EXPECT_EQ(r2.exitCode, 3) << r2.err;
    EXPECT_NE(r2.err.find("broken.json"), std::string::npos) << r2.err;

    // Weights given where a card belongs: the message says how to import them.
    const auto weights = home / "mtat_fcn.pth";
    std::ofstream(weights) << "PK";
    const auto r3 = test::runCli(home, {"--model", weights.string(), "tag", "x.ogg"});
    EXPECT_EQ(r3.exitCode, 3) << r3.err;
    EXPECT_NE(r3.err.find("mtat_fcn.pth"), std::string::npos) << r3.err;
    EXPECT_NE(r3.err.find("models import"), std::string::npos) << r3.err;
}

TEST(CliTag, FolderWithBadFilesTagsTheGoodOneAndReportsTheOthers) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_tag_folder");
    importFcn(home);
    const auto music = home / "music";
    fs::create_directories(music / "sub");
    fs::copy_file(test::sharedPath(kClip), music / "sub" / "vibe.ogg");
    std::ofstream(music / "corrupt.ogg") << "OggS but not really an ogg file, just text pretending to be one";
    std::ofstream(music / "empty.wav");
    std::ofstream(music / "notes.txt") << "not audio: skipped by extension";

    const auto r = test::runCli(home, {"--threads", "1", "tag", "--json", music.string()});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    // One line per bad file, naming it; nothing about the good one or the .txt.
    const auto errLines = test::lines(r.err);
    ASSERT_EQ(errLines.size(), 2u) << r.err;
    EXPECT_EQ(errLines[0].rfind("tagscope-cli: " + (music / "corrupt.ogg").string() + ": ", 0), 0u) << errLines[0];
    EXPECT_EQ(errLines[1].rfind("tagscope-cli: " + (music / "empty.wav").string() + ": ", 0), 0u) << errLines[1];

    const json doc = json::parse(r.out);
    EXPECT_EQ(doc.at("failed").size(), 2u);
    ASSERT_EQ(doc.at("tracks").size(), 1u);
    const json& t = doc["tracks"][0];
    EXPECT_EQ(t.at("file"), (music / "sub" / "vibe.ogg").string());
    EXPECT_EQ(t.at("model").at("id"), "mtat-fcn");
    EXPECT_EQ(t.at("vocabularies").at(0).at("name"), "mtat_top50");
    ASSERT_EQ(t["vocabularies"][0].at("tags").size(), 50u);

    // Duration and chunking agree with the file itself and the model's 29 s chunks.
    auto info = audio::probeAudio(test::sharedPath(kClip));
    ASSERT_TRUE(info) << info.error().message;
    const double duration = t.at("duration_seconds").get<double>();
    EXPECT_NEAR(duration, info->durationSeconds(), 0.01);
    const double chunk = t.at("chunk_seconds").get<double>();
    EXPECT_NEAR(chunk, 29.0, 1e-6);
    const auto& taggram = t.at("taggram");
    const size_t chunks = taggram.at("chunk_start_seconds").size();
    EXPECT_EQ(chunks, size_t(std::ceil(duration / chunk)));
    ASSERT_EQ(taggram.at("values").size(), chunks);
    for (size_t c = 0; c < chunks; ++c) {
        // Non-overlapping chunks; the last one ends at the track's end instead of being padded.
        const double start = c + 1 < chunks ? double(c) * chunk : duration - chunk;
        EXPECT_NEAR(taggram["chunk_start_seconds"][c].get<double>(), start, 0.01);
        EXPECT_EQ(taggram["values"][c].size(), 50u);
    }
    EXPECT_NEAR(taggram["chunk_end_seconds"][chunks - 1].get<double>(), duration, 0.01);

    // Plausible scores: probabilities, ranked, track score = mean over chunks, not all alike.
    const auto& ranked = t.at("ranked");
    ASSERT_EQ(ranked.size(), 50u);
    for (size_t i = 0; i < ranked.size(); ++i) {
        const float s = ranked[i].at("score").get<float>();
        EXPECT_GE(s, 0.0f);
        EXPECT_LE(s, 1.0f);
        if (i > 0) {
            EXPECT_LE(s, ranked[i - 1]["score"].get<float>());
        }
    }
    EXPECT_GT(ranked[0]["score"].get<float>() - ranked[49]["score"].get<float>(), 0.2f);
    const size_t top = ranked[0].at("index").get<size_t>();
    double mean = 0;
    for (size_t c = 0; c < chunks; ++c) mean += taggram["values"][c][top].get<double>() / double(chunks);
    EXPECT_NEAR(t.at("track_scores")[top].get<double>(), mean, 1e-5);
    EXPECT_FALSE(t.at("hierarchy").empty()); // the imported model carries the MTAT taxonomy
}

TEST(CliTag, TableAndCsvOutputs) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_tag_csv");
    importFcn(home);
    const auto clip = test::sharedPath(kClip).string();
    const auto csv = test::runCli(home, {"--threads", "1", "tag", "--csv", "--top", "5", "--taggram-csv", (home / "tg").string(), clip});
    ASSERT_EQ(csv.exitCode, 0) << csv.err;
    EXPECT_TRUE(csv.err.empty()) << csv.err; // quiet when stderr is not a terminal
    const auto rows = test::lines(csv.out);
    ASSERT_EQ(rows.size(), 6u) << csv.out;
    EXPECT_EQ(rows[0], "file,model,tag,vocabulary,score,rank");
    EXPECT_EQ(rows[1].rfind(clip + ",mtat-fcn,", 0), 0u) << rows[1];
    EXPECT_TRUE(rows[5].ends_with(",5")) << rows[5];
    const auto taggram = test::lines(test::readText(home / "tg" / "Kevin_MacLeod_-_Vibe_Ace.taggram.csv"));
    ASSERT_EQ(taggram.size(), 4u); // header + 3 chunks of 29 s for 61 s
    EXPECT_EQ(taggram[0].rfind("chunk_start,chunk_end,guitar,", 0), 0u) << taggram[0];
    EXPECT_EQ(taggram[2].rfind("29,58,", 0), 0u) << taggram[2];

    const auto table = test::runCli(home, {"--timings", "--threads", "1", "tag", "--top", "3", clip});
    ASSERT_EQ(table.exitCode, 0) << table.err;
    const auto lines = test::lines(table.out);
    ASSERT_GE(lines.size(), 4u) << table.out;
    EXPECT_NE(lines[0].find("Kevin_MacLeod_-_Vibe_Ace.ogg"), std::string::npos);
    EXPECT_NE(lines[0].find("3 chunks"), std::string::npos) << lines[0];
    EXPECT_NE(table.err.find("timings:"), std::string::npos) << table.err;
    EXPECT_NE(table.err.find("model "), std::string::npos) << table.err;
}

TEST(CliTag, SigintCancelsWithExitCode130) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_tag_sigint");
    importFcn(home);
    const auto music = home / "music";
    fs::create_directories(music);
    for (int i = 0; i < 8; ++i) fs::copy_file(test::sharedPath(kClip), music / ("copy" + std::to_string(i) + ".ogg"));
    test::CliProcess p(home, {"--timings", "--threads", "1", "tag", music.string()});
    ASSERT_TRUE(p.started());
    // Wait until the first file is done (the handler is installed by then), then interrupt.
    for (int i = 0; i < 6000 && p.currentStderr().find("timings:") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    kill(p.pid(), SIGINT);
    const auto r = p.wait();
    EXPECT_EQ(r.exitCode, 130) << r.err;
    EXPECT_NE(r.err.find("tagscope-cli: cancelled"), std::string::npos) << r.err;
    size_t tagged = 0;
    for (const auto& line : test::lines(r.out)) tagged += line.find("chunks, model mtat-fcn") != std::string::npos;
    EXPECT_GE(tagged, 1u);
    EXPECT_LT(tagged, 8u); // stopped before the last file
}

} // namespace
} // namespace tagscope

namespace tagscope {
namespace {

TEST(CliTag, HopSetsTheChunkGrid) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_tag_hop");
    importFcn(home);
    const auto r = test::runCli(home, {"--threads", "1", "--hop", "14.5", "tag", "--json", test::sharedPath(kClip).string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json t = json::parse(r.out).at("tracks").at(0);
    EXPECT_DOUBLE_EQ(t.at("hop_seconds").get<double>(), 14.5);
    const auto& starts = t.at("taggram").at("chunk_start_seconds");
    ASSERT_GE(starts.size(), 3u);
    for (size_t c = 1; c < starts.size(); ++c) EXPECT_NEAR(starts[c].get<double>() - starts[c - 1].get<double>(), 14.5, 1e-6);
}

} // namespace
} // namespace tagscope
