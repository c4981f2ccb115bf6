// SPDX-License-Identifier: GPL-3.0-or-later
// `tagscope-cli explain --features`: the bundled model's tags explained in musical terms by its
// shipped surrogate (models/<card>.surrogate.json) over the track's perceptual features.
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

/// The first `seconds` of the shared clip as 16-bit mono WAV.
fs::path shortWav(const fs::path& dir, double seconds) {
    audio::DecodeOptions options;
    options.maxSeconds = seconds;
    auto decoded = audio::decodeAudio(test::sharedPath(kClip), options);
    if (!decoded) return {};
    const auto path = dir / "clip.wav";
    std::ofstream out(path, std::ios::binary);
    auto put = [&](uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.put(char((v >> (8 * i)) & 0xff));
    };
    const uint32_t dataBytes = uint32_t(decoded->samples.size() * 2);
    out.write("RIFF", 4), put(36 + dataBytes, 4), out.write("WAVEfmt ", 8);
    put(16, 4), put(1, 2), put(1, 2), put(uint32_t(decoded->sampleRate), 4);
    put(uint32_t(decoded->sampleRate) * 2, 4), put(2, 2), put(16, 2);
    out.write("data", 4), put(dataBytes, 4);
    for (float x : decoded->samples) put(uint32_t(uint16_t(int16_t(std::lround(std::clamp(x, -1.0f, 1.0f) * 32767)))), 2);
    return path;
}

/// A copy of the bundled card and weights in `dir` (without its surrogate file).
fs::path copyOfBundledCard(const fs::path& dir) {
    const auto models = test::sourceDir() / "models";
    fs::create_directories(dir / "taxonomy");
    fs::copy_file(models / "tagscope_mtt_student.json", dir / "tagscope_mtt_student.json");
    fs::copy_file(models / "tagscope_mtt_student.safetensors", dir / "tagscope_mtt_student.safetensors");
    fs::copy_file(models / "taxonomy/tagscope_mtt_student.json", dir / "taxonomy/tagscope_mtt_student.json");
    return dir / "tagscope_mtt_student.json";
}

TEST(CliExplainFeatures, AddsEachTagsMusicalContributionsPerTrackAndSegment) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    ASSERT_TRUE(fs::exists(test::sourceDir() / "models/tagscope_mtt_student.surrogate.json"));
    const auto home = test::scratchDir("cli_explain_features");
    const auto clip = shortWav(home, 16.0);
    ASSERT_FALSE(clip.empty());
    const auto r = test::runCli(home, {"--threads", "1", "explain", clip.string(), "--features",
                                       "--no-faithfulness"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_TRUE(j.contains("musical_explanations")) << r.out.substr(0, 400);
    const json& m = j["musical_explanations"];
    EXPECT_EQ(m.at("surrogate"), "tagscope_mtt_student.surrogate.json");
    EXPECT_TRUE(m.at("features").at("tempo_bpm").is_number()) << m["features"].dump();
    ASSERT_EQ(m.at("tags").size(), 1u);
    const json& tag = m["tags"][0];
    EXPECT_FALSE(tag.at("tag").get<std::string>().empty());
    EXPECT_TRUE(tag.at("fidelity").at("verdict").is_string());
    // Every feature is listed, strongest first, with its value and unit; SHAP sums to the output.
    const json& contributions = tag.at("contributions");
    ASSERT_EQ(contributions.size(), m["features"].size());
    double sum = tag.at("expected_probability").get<double>();
    double previous = 1e9;
    for (const auto& c : contributions) {
        EXPECT_TRUE(c.contains("unit") && c.contains("name") && c.contains("value")) << c.dump();
        const double v = c.at("contribution").get<double>();
        EXPECT_LE(std::fabs(v), previous + 1e-9);
        previous = std::fabs(v);
        sum += v;
    }
    EXPECT_NEAR(sum, tag.at("surrogate_probability").get<double>(), 5e-3);
    // 16 s in 5 s segments: at least three segments, each with its own contributions.
    const json& segments = tag.at("segments");
    ASSERT_GE(segments.size(), 3u);
    for (const auto& s : segments) {
        EXPECT_LT(s.at("start").get<double>(), s.at("end").get<double>());
        EXPECT_EQ(s.at("contributions").size(), contributions.size());
    }
}

TEST(CliExplainFeatures, AMissingOrDamagedSurrogateIsAClearError) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_explain_features_missing");
    const auto card = copyOfBundledCard(home / "elsewhere");
    const auto clip = shortWav(home, 6.0);
    ASSERT_FALSE(clip.empty());
    const std::vector<std::string> args = {"--threads", "1", "--model", card.string(), "explain", clip.string(),
                                           "--features", "--no-faithfulness"};
    const auto missing = test::runCli(home, args);
    EXPECT_EQ(missing.exitCode, 1) << missing.err;
    EXPECT_NE(missing.err.find("tagscope_mtt_student.surrogate.json"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("train surrogate"), std::string::npos) << missing.err;

    std::ofstream(home / "elsewhere/tagscope_mtt_student.surrogate.json") << R"({"format": "tagscope-surrogate", "boo)";
    const auto damaged = test::runCli(home, args);
    EXPECT_EQ(damaged.exitCode, 1) << damaged.err;
    EXPECT_NE(damaged.err.find("damaged"), std::string::npos) << damaged.err;
    // Without --features the same command still works.
    auto plain = args;
    plain.erase(std::find(plain.begin(), plain.end(), "--features"));
    EXPECT_EQ(test::runCli(home, plain).exitCode, 0);
}

} // namespace
} // namespace tagscope
