// SPDX-License-Identifier: GPL-3.0-or-later
// Robust output of `tagscope-cli tag`: --jsonl streams and survives Ctrl+C, file names that are
// not UTF-8 are written without loss in JSON/JSONL/CSV, taggram CSV names are unique per path.
#include <csignal>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/catalog/path_text.h"
#include "tests/app/cli_runner.h"
#include "tests/app/library_fixture.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kOddName = std::string("caf\xe9 \xff-mix.wav"); // Latin-1 é and a stray byte

TEST(CliTagOutput, NonUtf8FileNamesAreWrittenWithoutLossInJsonJsonlAndCsv) {
    const auto home = test::scratchDir("cli_tag_nonutf8");
    const auto dir = home / "music";
    test::writeToneWav(dir / "plain.wav", 1, 5.0);
    test::writeToneWav(dir / kOddName, 2, 5.0);
    const fs::path odd = dir / kOddName;

    const auto j = test::runCli(home, {"--threads", "1", "tag", "--json", "--top", "3", dir.string()});
    ASSERT_EQ(j.exitCode, 0) << j.err;
    EXPECT_NE(j.err.find("not valid UTF-8"), std::string::npos) << j.err;
    const json doc = json::parse(j.out);
    ASSERT_EQ(doc.at("tracks").size(), 2u);
    bool found = false;
    for (const auto& t : doc["tracks"]) {
        if (!t.contains("file_bytes_hex")) {
            EXPECT_EQ(t.at("file"), (dir / "plain.wav").string());
            continue;
        }
        found = true;
        EXPECT_EQ(catalog::fromHex(t["file_bytes_hex"].get<std::string>()), odd.native());
        EXPECT_EQ(t.at("file").get<std::string>(), catalog::toValidUtf8(odd.native()));
    }
    EXPECT_TRUE(found) << j.out;

    const auto l = test::runCli(home, {"--threads", "1", "tag", "--jsonl", "--top", "3", dir.string()});
    ASSERT_EQ(l.exitCode, 0) << l.err;
    const auto records = test::lines(l.out);
    ASSERT_EQ(records.size(), 2u) << l.out;
    std::set<std::string> paths;
    for (const auto& r : records) {
        const json rec = json::parse(r);
        paths.insert(rec.contains("file_bytes_hex") ? catalog::fromHex(rec["file_bytes_hex"].get<std::string>())
                                                    : rec.at("file").get<std::string>());
        EXPECT_EQ(rec.at("ranked").size(), 3u);
    }
    EXPECT_EQ(paths, (std::set<std::string>{(dir / "plain.wav").native(), odd.native()}));

    const auto c = test::runCli(home, {"--threads", "1", "tag", "--csv", "--top", "2", dir.string()});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    EXPECT_NE(c.out.find(odd.native() + ","), std::string::npos) << "CSV holds the exact bytes";
    EXPECT_EQ(test::lines(c.out).size(), 5u);
}

TEST(CliTagOutput, JsonlStreamsAndCtrlCKeepsEveryFinishedRecord) {
    const auto home = test::scratchDir("cli_tag_jsonl_sigint");
    const auto dir = home / "music";
    const int total = 40;
    test::makeLibrary(dir, total, 8.0);
    test::CliProcess p(home, {"--threads", "1", "tag", "--jsonl", "--top", "1", dir.string()});
    ASSERT_TRUE(p.started());
    const auto outFile = home / "stdout0.txt"; // written while running: records are flushed one by one
    std::string partial;
    for (int i = 0; i < 6000; ++i) {
        partial.clear();
        for (const auto& entry : fs::directory_iterator(home))
            if (entry.path().filename().string().rfind("stdout", 0) == 0) partial = test::readText(entry.path());
        if (test::lines(partial).size() >= 2) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_GE(test::lines(partial).size(), 2u) << "records are not streamed";
    kill(p.pid(), SIGINT);
    const auto r = p.wait();
    EXPECT_EQ(r.exitCode, 130) << r.err;
    const auto records = test::lines(r.out);
    EXPECT_GE(records.size(), 2u);
    EXPECT_LT(records.size(), size_t(total)) << "stopped before the last file";
    for (const auto& rec : records) EXPECT_TRUE(json::accept(rec)) << rec;
}

TEST(CliTagOutput, JsonCtrlCPrintsTheFinishedTracksMarkedInterrupted) {
    const auto home = test::scratchDir("cli_tag_json_sigint");
    const auto dir = home / "music";
    test::makeLibrary(dir, 40, 8.0);
    test::CliProcess p(home, {"--timings", "--threads", "1", "tag", "--json", "--top", "1", dir.string()});
    ASSERT_TRUE(p.started());
    for (int i = 0; i < 6000 && p.currentStderr().find("timings:") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(p.pid(), SIGINT);
    const auto r = p.wait();
    EXPECT_EQ(r.exitCode, 130) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_EQ(doc.value("interrupted", false), true);
    EXPECT_GE(doc.at("tracks").size(), 1u);
    EXPECT_LT(doc.at("tracks").size(), 40u);
}

TEST(CliTagOutput, TaggramCsvNamesAreUniquePerInputPath) {
    const auto home = test::scratchDir("cli_tag_taggram_names");
    const auto dir = home / "music";
    test::writeToneWav(dir / "a" / "x.wav", 1, 5.0);
    test::writeToneWav(dir / "b" / "x.wav", 2, 5.0);
    const auto out = home / "tg";
    const auto r = test::runCli(home, {"--threads", "1", "tag", "--csv", "--taggram-csv", out.string(), dir.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::exists(out / "a__x.taggram.csv"));
    EXPECT_TRUE(fs::exists(out / "b__x.taggram.csv"));
    EXPECT_NE(test::readText(out / "a__x.taggram.csv"), test::readText(out / "b__x.taggram.csv"));

    const auto out2 = home / "tg2"; // the same file name given as two file inputs
    const auto r2 = test::runCli(home, {"--threads", "1", "tag", "--csv", "--taggram-csv", out2.string(),
                                        (dir / "a" / "x.wav").string(), (dir / "b" / "x.wav").string()});
    ASSERT_EQ(r2.exitCode, 0) << r2.err;
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(out2)) {
        EXPECT_EQ(e.path().filename().string().rfind("x-", 0), 0u) << e.path();
        ++n;
    }
    EXPECT_EQ(n, 2u);
}

} // namespace
} // namespace tagscope
