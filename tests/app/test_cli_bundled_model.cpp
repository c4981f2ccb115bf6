// SPDX-License-Identifier: GPL-3.0-or-later
// With nothing installed, the command line uses the bundled student from models/.
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

using nlohmann::json;

TEST(CliBundledModel, IsListedAndTagsByDefaultWithThreeVocabulariesAndGroups) {
    TAGSCOPE_REQUIRE_SHARED("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    const auto home = test::scratchDir("cli_bundled"); // no models of the user's own
    const auto list = test::runCli(home, {"models", "list"});
    ASSERT_EQ(list.exitCode, 0) << list.err;
    EXPECT_NE(list.out.find("tagscope-mtt-student-v2"), std::string::npos) << list.out;

    const auto r = test::runCli(home, {"--threads", "1", "tag", "--json", "--top", "10",
                                       test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg").string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json t = json::parse(r.out).at("tracks").at(0);
    EXPECT_EQ(t.at("model").at("id"), "tagscope-mtt-student-v2");
    ASSERT_EQ(t.at("vocabularies").size(), 3u);
    EXPECT_EQ(t["vocabularies"][0].at("name"), "mtat_top50");
    EXPECT_EQ(t["vocabularies"][1].at("name"), "msd_top50");
    EXPECT_EQ(t["vocabularies"][2].at("name"), "jamendo_top50");
    EXPECT_EQ(t.at("track_scores").size(), 150u);
    ASSERT_EQ(t.at("ranked").size(), 10u);
    for (const auto& entry : t["ranked"]) {
        const double score = entry.at("score").get<double>();
        EXPECT_TRUE(score >= 0.0 && score <= 1.0) << entry.dump();
        EXPECT_FALSE(entry.at("vocabulary").get<std::string>().empty()) << entry.dump();
    }
    // The merged taxonomy groups tags across the vocabularies: some group pools members of
    // more than one vocabulary.
    bool acrossVocabularies = false;
    for (const auto& group : t.at("hierarchy")) {
        std::set<size_t> vocabularies;
        for (const auto& index : group.at("member_indices")) vocabularies.insert(index.get<size_t>() / 50);
        acrossVocabularies = acrossVocabularies || vocabularies.size() > 1;
    }
    EXPECT_TRUE(acrossVocabularies) << t.at("hierarchy").dump();
    EXPECT_FALSE(t.contains("warnings")) << t["warnings"].dump();

    // The table is for people: every tag says which vocabulary it comes from.
    const auto table = test::runCli(home, {"--threads", "1", "tag", "--top", "150",
                                           test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg").string()});
    ASSERT_EQ(table.exitCode, 0) << table.err;
    for (const char* qualifier : {" (MTAT)", " (MSD)", " (Jamendo genre)", " (Jamendo instrument)"})
        EXPECT_NE(table.out.find(qualifier), std::string::npos) << qualifier << "\n" << table.out;
    EXPECT_EQ(table.out.find("genre---"), std::string::npos) << table.out;
}

} // namespace
} // namespace tagscope
