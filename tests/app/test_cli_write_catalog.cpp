// SPDX-License-Identifier: GPL-3.0-or-later
// `tag --catalog` fills a catalog so nothing is rescanned; `write --catalog` writes the stored
// analyses (dry run, apply, undo), keeps the files' own tags and their audio, and keeps the
// catalog's rows current so the retagged files are not read again by the next scan.
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/catalog/catalog.h"
#include "core/tagfile/audio_payload.h"
#include "core/tagfile/tag_file.h"
#include "tests/app/cli_runner.h"
#include "tests/app/library_fixture.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;

/// "N analysed, U up to date, K known audio" of scan's summary line, as "N/U/K".
std::string scanCounts(const std::string& out) {
    static const std::regex re(R"((\d+) analysed, (\d+) up to date, (\d+) known audio)");
    std::smatch m;
    return std::regex_search(out, m, re) ? std::string(m[1]) + "/" + std::string(m[2]) + "/" + std::string(m[3]) : out;
}

TEST(CliWriteCatalog, TagFillsTheCatalogThenWriteAppliesAndUndoesFromItWithoutRescans) {
    const auto home = test::scratchDir("cli_write_catalog");
    const auto lib = home / "library";
    auto files = test::makeLibrary(lib, 3, 6.0);
    const tagfile::FieldMap old = {{"ARTIST", {"Someone"}}, {"TITLE", {"A title"}}, {"GENRE", {"Chiptune"}}};
    for (const auto& f : files) ASSERT_TRUE(tagfile::writeFields(f, old)) << f;
    const fs::path pristine = home / "pristine";
    fs::create_directories(pristine);
    for (const auto& f : files) fs::copy_file(f, pristine / f.filename());
    const std::string cat = (home / "cat.sqlite").string(), journal = (home / "journal.jsonl").string();

    const auto tagged = test::runCli(home, {"--threads", "1", "tag", "--jsonl", "--catalog", cat, lib.string()});
    ASSERT_EQ(tagged.exitCode, 0) << tagged.err;
    EXPECT_EQ(std::count(tagged.out.begin(), tagged.out.end(), '\n'), 3);
    {
        auto c = catalog::Catalog::open(cat);
        ASSERT_TRUE(c);
        auto rows = c->tracksWithLatestAnalysis();
        ASSERT_TRUE(rows);
        EXPECT_EQ(rows->size(), 3u);
    }
    // A curator who tagged once does not rescan.
    const auto scanned = test::runCli(home, {"--threads", "1", "scan", lib.string(), "--catalog", cat});
    EXPECT_EQ(scanCounts(scanned.out), "0/3/0") << scanned.out << scanned.err;

    const auto dry = test::runCli(home, {"write", "--catalog", cat, "--dry-run", lib.string()});
    EXPECT_EQ(dry.exitCode, 0) << dry.err;
    EXPECT_NE(dry.out.find("3 file(s) would change"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("ARTIST: Someone (kept)"), std::string::npos) << dry.out;
    for (const auto& f : files) EXPECT_EQ(tagfile::readTags(f)->fields, tagfile::readTags(pristine / f.filename())->fields);

    const auto applied = test::runCli(home, {"write", "--catalog", cat, "--apply", "--journal", journal, lib.string()});
    EXPECT_EQ(applied.exitCode, 0) << applied.err;
    EXPECT_NE(applied.out.find("write: 3 file(s) written"), std::string::npos) << applied.out;
    for (const auto& f : files) {
        auto now = tagfile::readTags(f);
        ASSERT_TRUE(now);
        EXPECT_EQ(now->fields.at("ARTIST"), std::vector<std::string>{"Someone"}) << f;
        EXPECT_EQ(now->fields.at("GENRE").front(), "Chiptune") << "append keeps the file's genre first: " << f;
        ASSERT_TRUE(now->fields.count("TAGSCOPE")) << f;
        EXPECT_EQ(nlohmann::json::parse(now->fields.at("TAGSCOPE").front()).at("model"), "tagscope-mtt-student-v2");
        EXPECT_TRUE(tagfile::verifySameAudio(pristine / f.filename(), f)) << f;
    }
    // The rows followed the rewritten files: the next scan reads none of them.
    const auto rescanned = test::runCli(home, {"--threads", "1", "scan", lib.string(), "--catalog", cat});
    EXPECT_EQ(scanCounts(rescanned.out), "0/3/0") << rescanned.out << rescanned.err;

    const auto undone = test::runCli(home, {"write", "--undo", journal, "--catalog", cat});
    EXPECT_EQ(undone.exitCode, 0) << undone.out << undone.err;
    for (const auto& f : files) EXPECT_EQ(tagfile::readTags(f)->fields, tagfile::readTags(pristine / f.filename())->fields) << f;
    const auto afterUndo = test::runCli(home, {"--threads", "1", "scan", lib.string(), "--catalog", cat});
    EXPECT_EQ(scanCounts(afterUndo.out), "0/3/0") << afterUndo.out << afterUndo.err;

    // A file modified after its analysis is skipped with a clear reason, the others still planned.
    fs::last_write_time(files[0], fs::last_write_time(files[0]) + std::chrono::seconds(5));
    const auto changed = test::runCli(home, {"write", "--catalog", cat, "--dry-run", lib.string()});
    EXPECT_EQ(changed.exitCode, 1) << changed.out;
    EXPECT_NE(changed.out.find("changed since"), std::string::npos) << changed.out;
    EXPECT_NE(changed.out.find("2 file(s) would change"), std::string::npos) << changed.out;
}

TEST(CliWriteCatalog, WithoutACatalogOrAnExportTheErrorSaysWhatToDo) {
    const auto home = test::scratchDir("cli_write_catalog_none");
    const auto none = test::runCli(home, {"write", "--apply", "--catalog", (home / "missing.sqlite").string()});
    EXPECT_EQ(none.exitCode, 1);
    EXPECT_NE(none.err.find("missing.sqlite: no catalog here"), std::string::npos) << none.err;
    EXPECT_NE(none.err.find("scan"), std::string::npos) << none.err;
    EXPECT_FALSE(fs::exists(home / "missing.sqlite")) << "a missing catalog is not created by write";
}

} // namespace
} // namespace tagscope
