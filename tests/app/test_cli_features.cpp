// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end tests of `tagscope-cli features` on a real clip and on broken inputs.
#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

using nlohmann::json;

constexpr const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

TEST(CliFeatures, JsonOfARealClipHasTrackKeysAndSegmentArrays) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_features_json");
    const auto r = test::runCli(home, {"features", "--json", test::sharedPath(kClip).string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = json::parse(r.out);
    ASSERT_EQ(doc.at("tracks").size(), 1u);
    const auto& t = doc.at("tracks")[0];
    EXPECT_NE(t.at("file").get<std::string>().find("Vibe_Ace"), std::string::npos);
    EXPECT_TRUE(std::regex_match(t.at("key").get<std::string>(), std::regex("[A-G]#? (major|minor)")))
        << t.at("key");
    const double bpm = t.at("tempo_bpm").get<double>();
    EXPECT_GT(bpm, 60.0);
    EXPECT_LT(bpm, 200.0);
    EXPECT_GT(t.at("loudness_lufs").get<double>(), -40.0);
    EXPECT_LT(t.at("loudness_lufs").get<double>(), -5.0);
    for (const char* k : {"key_strength", "loudness_range_lu", "onset_rate", "spectral_centroid_hz", "spectral_flux",
                          "spectral_entropy", "spectral_rolloff_hz", "zero_crossing_rate", "dissonance"})
        EXPECT_TRUE(t.at(k).is_number()) << k;
    const auto& seg = t.at("segments");
    EXPECT_EQ(seg.at("start_seconds").size(), 13u);  // 61.5 s in 5 s segments
    EXPECT_EQ(seg.at("tempo_bpm").size(), 13u);
    EXPECT_TRUE(doc.at("failed").empty());
}

TEST(CliFeatures, TableAndBrokenFilesAndUsage) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_features_broken");
    const auto broken = home / "broken.wav";
    std::ofstream(broken) << "this is not audio";
    const auto r = test::runCli(home, {"features", "--segments", broken.string(), test::sharedPath(kClip).string()});
    EXPECT_EQ(r.exitCode, 1) << r.err;                     // one failed, the other still done
    EXPECT_NE(r.err.find("broken.wav"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("Vibe_Ace"), std::string::npos);
    EXPECT_NE(r.out.find("tempo"), std::string::npos);
    EXPECT_NE(r.out.find("0-5 s"), std::string::npos);     // the segment table

    const auto none = test::runCli(home, {"features"});
    EXPECT_EQ(none.exitCode, 2) << none.err;
    const auto catalog = test::runCli(home, {"features", "--catalog", "--json"});
    ASSERT_EQ(catalog.exitCode, 0) << catalog.err;
    const auto c = json::parse(catalog.out);
    ASSERT_FALSE(c.empty());
    EXPECT_EQ(c[0].at("key"), "tempo_bpm");
    EXPECT_FALSE(c[0].at("method").get<std::string>().empty());
}

} // namespace
} // namespace tagscope
