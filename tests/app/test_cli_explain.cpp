// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end tests of `tagscope-cli explain` with a real upstream model and a real clip.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

TEST(CliExplain, ExplainsTagsAsJsonAndDrawsAPng) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_explain");
    const auto imported = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/mtat_fcn.pth").string(),
                                              "--tags", test::sharedPath("tags/mtat_top50.txt").string()});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto png = home / "explain.png";
    const auto r = test::runCli(home, {"--model", "mtat-fcn", "explain", test::sharedPath(kClip).string(), "--tag",
                                       "guitar", "--tag", "mtat_top50:piano", "--png", png.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j.at("schema_version"), 1);
    EXPECT_EQ(j.at("model").at("id"), "mtat-fcn");
    const auto& ex = j.at("explanations");
    ASSERT_EQ(ex.size(), 2u);
    EXPECT_EQ(ex[0].at("tag"), "guitar");
    EXPECT_EQ(ex[1].at("tag"), "piano");
    EXPECT_EQ(ex[0].at("index"), 0);
    const size_t guitar = 0;
    EXPECT_FLOAT_EQ(ex[0].at("track_score").get<float>(), j.at("track_scores")[guitar].get<float>());
    // FCN has no attention: gradient relevance over the whole track, with a deletion test.
    EXPECT_FALSE(ex[0].contains("contribution"));
    const auto& rel = ex[0].at("relevance");
    EXPECT_GT(rel.at("n_frames").get<int>(), 0);
    EXPECT_EQ(rel.at("per_frame").at("values").size(), rel.at("n_frames").get<size_t>());
    EXPECT_FALSE(ex[0].at("faithfulness").empty());
    EXPECT_FALSE(ex[0].at("evidence_segments").empty());

    const std::string bytes = test::readText(png);
    ASSERT_GT(bytes.size(), 1000u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
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
    const auto r2 = test::runCli(home, {"explain", empty.string(), "--tag", "guitar", "--png", (home / "x.png").string()});
    EXPECT_EQ(r2.exitCode, 1);
    EXPECT_EQ(r2.err.rfind("tagscope-cli: " + empty.string() + ": ", 0), 0u) << r2.err;
    EXPECT_FALSE(fs::exists(home / "x.png"));
}

} // namespace
} // namespace tagscope
