// SPDX-License-Identifier: GPL-3.0-or-later
// `tagscope-cli scan`: resumable after SIGKILL of a real run (nothing analysed twice, catalog
// intact), unchanged / changed / moved / retagged files, sharding and merge, find.
#include <csignal>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/catalog/catalog.h"
#include "core/catalog/sqlite_db.h"
#include "tests/app/cli_runner.h"
#include "tests/app/library_fixture.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// The counts of scan's summary line "scan: N files: A analysed, U up to date, K known audio ...".
struct Summary {
    int files = -1, analysed = -1, upToDate = -1, known = -1, failed = -1, removed = -1;
};

Summary summaryOf(const std::string& out) {
    static const std::regex re(R"(scan: (\d+) files?: (\d+) analysed, (\d+) up to date, (\d+) known audio \(moved or retagged\), (\d+) failed, (\d+) removed)");
    std::smatch m;
    Summary s;
    if (std::regex_search(out, m, re))
        s = {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]), std::stoi(m[5]), std::stoi(m[6])};
    return s;
}

size_t analysisCount(const fs::path& file) {
    auto db = catalog::detail::SqliteDb::open(file, false);
    if (!db) return 0;
    catalog::detail::Statement q(*db, "SELECT count(*) FROM analyses");
    auto row = q.step();
    return row && *row ? size_t(q.int64(0)) : 0;
}

std::string integrity(const fs::path& file) {
    auto db = catalog::detail::SqliteDb::open(file, false);
    if (!db) return db.error().message;
    catalog::detail::Statement q(*db, "PRAGMA integrity_check");
    auto row = q.step();
    return row && *row ? q.text(0) : "no answer";
}

TEST(CliScan, ResumesAfterSigkillOfARealRunAndAnalysesNothingTwice) {
    const auto home = test::scratchDir("cli_scan_kill");
    const auto lib = home / "library";
    const int total = 24;
    test::makeLibrary(lib, total, 8.0);
    const auto cat = home / "cat.sqlite";
    const std::vector<std::string> args = {"--threads", "1", "scan", lib.string(), "--catalog", cat.string()};
    size_t afterKill = 0;
    {
        test::CliProcess p(home, args);
        ASSERT_TRUE(p.started());
        // Kill while it is writing: as soon as a few tracks are in the catalog.
        for (int i = 0; i < 6000 && p.currentStderr().find("[3/") == std::string::npos; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ::kill(p.pid(), SIGKILL);
        const auto r = p.wait();
        ASSERT_EQ(r.exitCode, 128 + SIGKILL) << "the scan ended before it could be killed:\n" << r.err;
        EXPECT_EQ(integrity(cat), "ok");
        afterKill = analysisCount(cat);
        EXPECT_GE(afterKill, 3u);
        EXPECT_LT(afterKill, size_t(total));
    }
    const auto second = test::runCli(home, args);
    ASSERT_EQ(second.exitCode, 0) << second.err;
    const auto s = summaryOf(second.out);
    EXPECT_EQ(s.files, total) << second.out;
    EXPECT_EQ(s.upToDate, int(afterKill)) << second.out;
    EXPECT_EQ(s.analysed, total - int(afterKill)) << second.out;
    EXPECT_EQ(analysisCount(cat), size_t(total));
    EXPECT_NE(second.err.find("tracks/min"), std::string::npos) << second.err;
    EXPECT_NE(second.err.find("ETA"), std::string::npos) << second.err;
    EXPECT_EQ(integrity(cat), "ok");

    const auto third = test::runCli(home, args);
    ASSERT_EQ(third.exitCode, 0) << third.err;
    EXPECT_EQ(summaryOf(third.out).upToDate, total) << third.out;
    EXPECT_EQ(summaryOf(third.out).analysed, 0) << third.out;
}

TEST(CliScan, ChangedFilesAreReanalysedMovedAndRetaggedOnesRecognisedByTheirAudio) {
    const auto home = test::scratchDir("cli_scan_changes");
    const auto lib = home / "library";
    const auto files = test::makeLibrary(lib, 5);
    const auto cat = home / "cat.sqlite";
    const std::vector<std::string> args = {"--threads", "1", "scan", lib.string(), "--catalog", cat.string()};
    ASSERT_EQ(test::runCli(home, args).exitCode, 0);
    ASSERT_EQ(analysisCount(cat), 5u);

    fs::rename(files[0], lib / "moved.wav");                                   // moved
    fs::last_write_time(files[1], fs::last_write_time(files[1]) + std::chrono::hours(1)); // same audio, new mtime
    test::writeToneWav(files[2], 40);                                          // new audio
    const auto r = test::runCli(home, args);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto s = summaryOf(r.out);
    EXPECT_EQ(s.files, 5) << r.out;
    EXPECT_EQ(s.analysed, 1) << r.out;
    EXPECT_EQ(s.known, 2) << r.out;
    EXPECT_EQ(s.upToDate, 2) << r.out;
    EXPECT_EQ(s.removed, 1) << r.out;
    // The moved and the touched file are hashed before any analysis and never reach the model:
    // only the new audio is analysed (one progress line, "1/1").
    EXPECT_NE(r.err.find("2 recognised by their audio, 1 to analyse"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("scan [1/1]"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("scan [2/"), std::string::npos) << r.err;
    EXPECT_EQ(analysisCount(cat), 6u);
    auto c = catalog::Catalog::open(cat);
    ASSERT_TRUE(c);
    EXPECT_FALSE(*c->track(files[0]));
    EXPECT_TRUE(*c->latestAnalysis(lib / "moved.wav"));
    EXPECT_EQ(c->tracksWithLatestAnalysis()->size(), 5u);
}

TEST(CliScan, ShardsPartitionTheLibraryAndMergeIntoOneCatalog) {
    const auto home = test::scratchDir("cli_scan_shards");
    const auto lib = home / "library";
    test::makeLibrary(lib, 7, 5.0);
    std::vector<int> perShard;
    for (int i = 0; i < 2; ++i) {
        const auto r = test::runCli(home, {"--threads", "1", "scan", lib.string(), "--shard", std::to_string(i) + "/2",
                                           "--catalog", (home / ("shard" + std::to_string(i) + ".sqlite")).string()});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        perShard.push_back(summaryOf(r.out).analysed);
    }
    EXPECT_EQ(perShard[0] + perShard[1], 7);
    EXPECT_GT(perShard[0], 0);
    EXPECT_GT(perShard[1], 0);
    const auto merged = home / "all.sqlite";
    const auto m = test::runCli(home, {"catalog", "merge", (home / "shard0.sqlite").string(), (home / "shard1.sqlite").string(),
                                       "--into", merged.string()});
    ASSERT_EQ(m.exitCode, 0) << m.err;
    EXPECT_NE(m.out.find("now holds 7 tracks"), std::string::npos) << m.out;
    EXPECT_EQ(analysisCount(merged), 7u);
    // A scan of the whole library against the merged catalog has nothing left to do.
    const auto r = test::runCli(home, {"--threads", "1", "scan", lib.string(), "--catalog", merged.string()});
    EXPECT_EQ(summaryOf(r.out).upToDate, 7) << r.out;
    const auto bad = test::runCli(home, {"scan", lib.string(), "--shard", "2/2", "--catalog", merged.string()});
    EXPECT_EQ(bad.exitCode, 2) << bad.err;
    EXPECT_NE(bad.err.find("i/N"), std::string::npos) << bad.err;
}

TEST(CliFind, SelectsExactlyTheTracksAtOrAboveTheThreshold) {
    const auto home = test::scratchDir("cli_find");
    const auto lib = home / "library";
    test::makeLibrary(lib, 6, 5.0);
    const auto cat = home / "cat.sqlite";
    ASSERT_EQ(test::runCli(home, {"--threads", "1", "scan", lib.string(), "--catalog", cat.string()}).exitCode, 0);
    auto c = catalog::Catalog::open(cat);
    auto tracks = c->tracksWithLatestAnalysis();
    ASSERT_TRUE(tracks && tracks->size() == 6u);
    // Pick the tag and threshold from the stored scores so that some tracks match and some not.
    const auto& t0 = (*tracks)[0];
    size_t best = 0;
    for (size_t i = 1; i < t0.scores.size(); ++i)
        if (t0.scores[i] > t0.scores[best]) best = i;
    std::vector<float> scores;
    for (const auto& t : *tracks) scores.push_back(t.scores[best]);
    std::vector<float> sorted = scores;
    std::sort(sorted.begin(), sorted.end());
    const float threshold = sorted[3];
    const std::string tag = t0.tagNames[best] + " (" + t0.vocabularies[best] + ")";
    const auto r = test::runCli(home, {"find", "--tag", tag, "--min", std::to_string(threshold), "--json", "--catalog", cat.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json doc = json::parse(r.out);
    size_t expected = 0;
    for (float s : scores) expected += s >= std::stof(std::to_string(threshold)) ? 1 : 0;
    ASSERT_EQ(doc.at("tracks").size(), expected) << r.out;
    double previous = 2.0;
    for (const auto& t : doc["tracks"]) {
        EXPECT_GE(t.at("score").get<double>(), threshold - 1e-6);
        EXPECT_LE(t.at("score").get<double>(), previous);
        previous = t["score"].get<double>();
        EXPECT_EQ(t.at("top_tags").size(), 5u);
    }
    const auto text = test::runCli(home, {"find", "--text", "ALBUM1/", "--min", "0", "--catalog", cat.string()});
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("2 of 6 catalogued tracks match"), std::string::npos) << text.out;
    const auto group = test::runCli(home, {"find", "--group", "no-such-group", "--catalog", cat.string()});
    EXPECT_NE(group.out.find("0 of 6"), std::string::npos) << group.out;
    const auto info = test::runCli(home, {"catalog", "info", "--catalog", cat.string()});
    EXPECT_NE(info.out.find("tracks: 6 (6 with an analysis)"), std::string::npos) << info.out;
}

} // namespace
} // namespace tagscope
