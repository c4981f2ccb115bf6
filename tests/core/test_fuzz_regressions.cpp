// SPDX-License-Identifier: GPL-3.0-or-later
// Replays every input the fuzzers once crashed on (fuzz/regressions/<target>/*) through the same
// fuzz target, so a fixed crash stays fixed. A target aborts on a violated invariant, and an
// exception escaping a parser fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/io/file_util.h"
#include "fuzz/fuzz_target.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

const fuzz::Target* findTarget(const std::string& name) {
    for (const auto& t : fuzz::targets())
        if (name == t.name) return &t;
    return nullptr;
}

TEST(FuzzRegressions, EveryTargetIsLinkedIntoTheTests) {
    std::set<std::string> names;
    for (const auto& t : fuzz::targets()) names.insert(t.name);
    for (const char* expected : {"audio_decoder", "checkpoint", "safetensors", "model_card", "taxonomy", "catalog",
                                  "tag_writer", "journal"})
        EXPECT_TRUE(names.count(expected)) << expected;
}

TEST(FuzzRegressions, EveryTargetSurvivesTrivialInputs) {
    for (const auto& t : fuzz::targets()) {
        SCOPED_TRACE(t.name);
        for (std::string_view input : {std::string_view(), std::string_view("\0", 1), std::string_view("{}"),
                                       std::string_view("PK\3\4"), std::string_view("RIFF\xff\xff\xff\xffWAVE")})
            EXPECT_NO_THROW(t.run(input));
    }
}

TEST(FuzzRegressions, CrashInputsStayFixed) {
    const auto root = test::sourceDir() / "fuzz" / "regressions";
    ASSERT_TRUE(std::filesystem::is_directory(root)) << root;
    int replayed = 0;
    for (const auto& dir : std::filesystem::directory_iterator(root)) {
        if (!dir.is_directory()) continue;
        const fuzz::Target* target = findTarget(dir.path().filename().string());
        ASSERT_NE(target, nullptr) << "no fuzz target named after " << dir.path();
        std::vector<std::filesystem::path> inputs;
        for (const auto& f : std::filesystem::directory_iterator(dir.path()))
            if (f.is_regular_file()) inputs.push_back(f.path());
        std::sort(inputs.begin(), inputs.end());
        for (const auto& input : inputs) {
            SCOPED_TRACE(input.string());
            auto bytes = io::readFileBytes(input);
            ASSERT_TRUE(bytes) << bytes.error().message;
            EXPECT_NO_THROW(target->run(*bytes));
            ++replayed;
        }
    }
    std::printf("[ fuzz ] replayed %d committed crash inputs\n", replayed);
}

} // namespace
} // namespace tagscope
