// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end tests of `tagscope-cli explain` with a real upstream model and a real clip.
#include <algorithm>
#include <cmath>

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

/// The first `seconds` of a shared clip as a 16-bit mono WAV in `dir` (explanations of a whole
/// clip take long on a busy 2-core machine; one FCN chunk is enough here).
fs::path shortClip(const fs::path& dir, double seconds) {
    audio::DecodeOptions options;
    options.maxSeconds = seconds;
    auto decoded = audio::decodeAudio(test::sharedPath(kClip), options);
    EXPECT_TRUE(decoded) << decoded.error().message;
    if (!decoded) return {};
    const auto path = dir / "clip.wav";
    std::ofstream out(path, std::ios::binary);
    auto put = [&](uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.put(char((v >> (8 * i)) & 0xff));
    };
    const uint32_t dataBytes = uint32_t(decoded->samples.size() * 2);
    out.write("RIFF", 4);
    put(36 + dataBytes, 4);
    out.write("WAVEfmt ", 8);
    put(16, 4);
    put(1, 2); // PCM
    put(1, 2); // mono
    put(uint32_t(decoded->sampleRate), 4);
    put(uint32_t(decoded->sampleRate) * 2, 4);
    put(2, 2);
    put(16, 2);
    out.write("data", 4);
    put(dataBytes, 4);
    for (float x : decoded->samples) put(uint32_t(uint16_t(int16_t(std::lround(std::clamp(x, -1.0f, 1.0f) * 32767)))), 2);
    return path;
}

TEST(CliExplain, ExplainsTagsAsJsonAndDrawsAPng) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_explain");
    const auto imported = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/mtat_fcn.pth").string(),
                                              "--tags", test::sharedPath("tags/mtat_top50.txt").string()});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto png = home / "explain.png";
    const auto clip = shortClip(home, 20.0);
    ASSERT_FALSE(clip.empty());
    const auto r = test::runCli(home, {"--model", "mtat-fcn", "--threads", "1", "explain", clip.string(), "--tag",
                                       "guitar", "--tag", "mtat_top50:piano", "--orderings", "2", "--segment", "2", "--png", png.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j.at("schema_version"), 1);
    EXPECT_EQ(j.at("model").at("id"), "mtat-fcn");
    EXPECT_NEAR(j.at("duration_seconds").get<double>(), 20.0, 0.01);
    EXPECT_EQ(j.at("taggram").at("values").size(), 1u);
    const auto& ex = j.at("explanations");
    ASSERT_EQ(ex.size(), 2u);
    EXPECT_EQ(ex[0].at("tag"), "guitar");
    EXPECT_EQ(ex[1].at("tag"), "piano");
    EXPECT_EQ(ex[0].at("index"), 0);
    const size_t guitar = 0;
    EXPECT_FLOAT_EQ(ex[0].at("track_score").get<float>(), j.at("track_scores")[guitar].get<float>());
    // FCN has no attention: occlusion and gradient relevance, each with faithfulness curves.
    EXPECT_FALSE(ex[0].contains("contribution"));
    EXPECT_FALSE(ex[0].contains("attribution"));
    EXPECT_EQ(ex[0].at("occlusion").at("values").size(), 10u);
    const auto& rel = ex[0].at("relevance");
    EXPECT_GT(rel.at("n_frames").get<int>(), 0);
    EXPECT_EQ(rel.at("per_frame").at("values").size(), rel.at("n_frames").get<size_t>());
    const auto& curves = ex[0].at("faithfulness_curves");
    ASSERT_EQ(curves.size(), 2u);
    EXPECT_EQ(curves[0].at("method"), "occlusion");
    EXPECT_EQ(curves[1].at("method"), "gradient");
    EXPECT_EQ(curves[0].at("random_orderings"), 2);
    EXPECT_EQ(curves[0].at("deletion").size(), 5u);
    const std::string best = ex[0].at("best_method");
    EXPECT_TRUE(best == "occlusion" || best == "gradient") << best;
    EXPECT_FALSE(ex[0].at("summary").get<std::string>().empty());
    EXPECT_FALSE(ex[0].contains("faithfulness")); // the old 3-segment deletion test is gone
    EXPECT_FALSE(ex[0].at("evidence_segments").empty());

    const std::string bytes = test::readText(png);
    ASSERT_GT(bytes.size(), 1000u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    auto be32 = [&](size_t at) {
        uint32_t v = 0;
        for (size_t i = 0; i < 4; ++i) v = (v << 8) | uint8_t(bytes[at + i]);
        return v;
    };
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    // NOTE: the PNG is the labelled figure (test_cli_explain_figure.cpp checks its layout and
    // regions); here only that it is a figure-sized image.
    EXPECT_GE(be32(16), 640u);
    EXPECT_GE(be32(20), 360u);
}

TEST(CliExplain, TableSaysHowFaithfulEachMethodIsAndWhichIsShown) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_explain_table");
    const auto imported = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/mtat_fcn.pth").string(),
                                              "--tags", test::sharedPath("tags/mtat_top50.txt").string()});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto clip = shortClip(home, 8.0);
    const auto r = test::runCli(home, {"--model", "mtat-fcn", "--threads", "1", "explain", clip.string(), "--table",
                                       "--orderings", "2", "--segment", "2"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.rfind("tag\tscore\tmethod\tbeats_random\tarea_between\tverdict\tshown\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("\tocclusion\t"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\tgradient\t"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\tyes\n"), std::string::npos) << r.out; // one method is marked as shown
}

TEST(CliExplain, UnknownTagIsAUsageErrorAndBadFileFails) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    const auto home = test::scratchDir("cli_explain_bad");
    const auto imported = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/mtat_fcn.pth").string(),
                                              "--tags", test::sharedPath("tags/mtat_top50.txt").string()});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto r = test::runCli(home, {"explain", "whatever.ogg", "--tag", "bagpipes"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("no tag 'bagpipes'"), std::string::npos) << r.err;

    const auto empty = home / "empty.ogg";
    std::ofstream(empty).flush();
    const auto r2 = test::runCli(home, {"--threads", "1", "explain", empty.string(), "--tag", "guitar", "--png", (home / "x.png").string()});
    EXPECT_EQ(r2.exitCode, 1);
    EXPECT_EQ(r2.err.rfind("tagscope-cli: " + empty.string() + ": ", 0), 0u) << r2.err;
    EXPECT_FALSE(fs::exists(home / "x.png"));
}

} // namespace
} // namespace tagscope
