// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end tests of `tagscope-cli compare`: the bundled student against the upstream MTAT FCN.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

using nlohmann::json;

constexpr const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

TEST(CliCompare, TwoModelsAlignedTagsCorrelationAndEvidenceOverlap) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto home = test::scratchDir("cli_compare");
    const auto imported = test::runCli(home, {"models", "import", test::sharedPath("models/upstream/mtat_fcn.pth").string(),
                                              "--tags", test::sharedPath("tags/mtat_top50.txt").string()});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto card = (test::sourceDir() / "models" / "tagscope_mtt_student.json").string();
    const auto r = test::runCli(home, {"--threads", "1", "compare", "--model", "mtat-fcn", "--model", card, "--json",
                                       "--segment", "2", test::sharedPath(kClip).string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j.at("comparisons").size(), 1u);
    const auto& c = j["comparisons"][0];
    EXPECT_EQ(c.at("model_a"), "mtat-fcn");
    EXPECT_EQ(c.at("model_b"), "tagscope-mtt-student-v2");
    // The student predicts MTAT's 50 tags among its own: every MTAT tag aligns by name.
    size_t tagRows = 0;
    for (const auto& row : c.at("tags")) tagRows += row.at("kind") == "tag";
    EXPECT_GE(tagRows, 50u);
    const double rho = c.at("rank_correlation");
    EXPECT_GT(rho, 0.3); // a student distilled from MTAT teachers ranks tags alike
    EXPECT_LE(rho, 1.0);
    ASSERT_TRUE(c.contains("mean_evidence_overlap"));
    EXPECT_GE(c.at("mean_evidence_overlap").get<double>(), 0.0);
    EXPECT_LE(c.at("mean_evidence_overlap").get<double>(), 1.0);
    EXPECT_TRUE(c.at("tags")[0].contains("evidence_overlap"));

    const auto table = test::runCli(home, {"--threads", "1", "compare", "--model", "mtat-fcn", "--model", card,
                                           "--no-evidence", "--top", "5", test::sharedPath(kClip).string()});
    ASSERT_EQ(table.exitCode, 0) << table.err;
    EXPECT_NE(table.out.find("Spearman rank correlation"), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find("evidence overlap"), std::string::npos) << table.out;
}

TEST(CliCompare, NeedsExactlyTwoModels) {
    const auto home = test::scratchDir("cli_compare_usage");
    const auto r = test::runCli(home, {"compare", "--model", "a", "x.ogg"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("exactly two models"), std::string::npos) << r.err;
    const auto missing = test::runCli(home, {"compare", "--model", "nope", "--model", "nada", "x.ogg"});
    EXPECT_EQ(missing.exitCode, 3) << missing.err;
}

} // namespace
} // namespace tagscope
