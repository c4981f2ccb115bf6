// SPDX-License-Identifier: GPL-3.0-or-later
// `tagscope-cli write`: dry run, apply, undo on a folder of tagged files in six containers, and
// SIGKILL at random moments during a write batch (every file stays as before or as intended).
#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include "core/analysis/serialize.h"
#include "core/tagfile/audio_payload.h"
#include "core/tagfile/safe_writer.h"
#include "core/tagfile/tag_file.h"
#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;
using tagfile::FieldMap;

const FieldMap kOldTags = {{"ARTIST", {"Kevin MacLeod"}}, {"TITLE", {"Vibe Ace"}}, {"GENRE", {"Jazz"}}};

/// A short stereo sine in `format`, tagged with kOldTags.
fs::path makeFile(const fs::path& path, int sfFormat, int rate, double freq) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 2;
    info.format = sfFormat;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f) return {};
    std::vector<float> frames(size_t(rate) * 2);
    for (size_t i = 0; i < frames.size() / 2; ++i)
        frames[2 * i] = frames[2 * i + 1] = float(0.3 * std::sin(6.283185307 * freq * double(i) / rate));
    sf_writef_float(f, frames.data(), rate);
    sf_close(f);
    return tagfile::writeFields(path, kOldTags) ? path : fs::path{};
}

/// An analysis export record of `file` with Jamendo genre/mood tags (placed without a taxonomy).
nlohmann::json record(const fs::path& file) {
    analysis::TrackAnalysis a;
    a.file = file;
    a.modelId = "test-model";
    a.tagNames = {"genre---ambient", "mood/theme---calm", "instrument---piano", "genre---rock"};
    a.vocabularyOfTag = {"jamendo_top50", "jamendo_top50", "jamendo_top50", "jamendo_top50"};
    a.trackScores = {0.8f, 0.7f, 0.9f, 0.1f};
    a.sampleRate = 16000;
    a.durationSeconds = 1.0;
    analysis::ExportOptions o;
    o.includeTaggram = false;
    return analysis::toJson(a, nullptr, {}, o);
}

void writeJson(const fs::path& path, const std::vector<fs::path>& files) {
    nlohmann::json doc = {{"schema_version", 1}, {"tracks", nlohmann::json::array()}};
    for (const auto& f : files) doc["tracks"].push_back(record(f));
    std::ofstream(path) << doc.dump(1);
}

struct Library {
    std::vector<fs::path> files;
    std::map<fs::path, FieldMap> original;  ///< fields as made (Ogg files also carry ENCODER)
    fs::path pristine;  ///< untouched copies, same names
};

Library makeLibrary(const fs::path& dir, size_t count) {
    const std::vector<std::tuple<std::string, int, int>> formats = {
        {"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100}, {"ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050},
        {"opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000},    {"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050},
        {"aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 22050}, {"mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100}};
    Library lib;
    lib.pristine = dir / "pristine";
    fs::create_directories(dir / "music" / "sub");
    fs::create_directories(lib.pristine);
    for (size_t i = 0; i < count; ++i) {
        const auto& [ext, format, rate] = formats[i % formats.size()];
        const fs::path folder = dir / "music" / (i % 2 ? "sub" : "");
        const auto f = makeFile(folder / ("track" + std::to_string(i) + "." + ext), format, rate, 220.0 + 20.0 * double(i));
        if (f.empty()) continue;
        fs::copy_file(f, lib.pristine / f.filename());
        lib.files.push_back(f);
        auto t = tagfile::readTags(f);
        if (t) lib.original[f] = t->fields;
    }
    return lib;
}

FieldMap fieldsOf(const fs::path& f) {
    auto t = tagfile::readTags(f);
    return t ? t->fields : FieldMap{{"<unreadable>", {t.error().message}}};
}

size_t countTemps(const fs::path& dir) {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) n += tagfile::isTempName(e.path());
    return n;
}

TEST(CliWrite, DryRunApplyAndUndoOnAFolderKeepingExistingTags) {
    const auto home = test::scratchDir("cli_write");
    const Library lib = makeLibrary(home, 6);
    ASSERT_EQ(lib.files.size(), 6u);
    const fs::path readOnly = lib.files[3];  // the WAV
    fs::permissions(readOnly, fs::perms::owner_read | fs::perms::group_read);
    writeJson(home / "analyses.json", lib.files);
    const std::string json = (home / "analyses.json").string(), journal = (home / "journal.jsonl").string();

    const auto dry = test::runCli(home, {"write", "--from-json", json, "--dry-run", (home / "music").string()});
    EXPECT_EQ(dry.exitCode, 1) << "one file is read-only: " << dry.err;
    EXPECT_NE(dry.out.find("GENRE: Jazz -> Jazz, ambient"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("MOOD: (none) -> calm"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("ARTIST: Kevin MacLeod (kept)"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("skipped: file is read-only"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("5 file(s) would change"), std::string::npos) << dry.out;
    EXPECT_NE(dry.err.find("no tag groups found for model 'test-model'"), std::string::npos) << dry.err;
    for (const auto& f : lib.files) EXPECT_EQ(fieldsOf(f), lib.original.at(f)) << "a dry run writes nothing: " << f;

    const auto applied = test::runCli(home, {"write", "--from-json", json, "--apply", "--journal", journal});
    EXPECT_EQ(applied.exitCode, 1) << applied.err;
    EXPECT_NE(applied.out.find("write: 5 file(s) written"), std::string::npos) << applied.out;
    for (const auto& f : lib.files) {
        EXPECT_TRUE(tagfile::verifySameAudio(lib.pristine / f.filename(), f)) << f;
        const FieldMap now = fieldsOf(f);
        EXPECT_EQ(now.at("ARTIST"), std::vector<std::string>{"Kevin MacLeod"}) << f;
        if (f == readOnly) {
            EXPECT_EQ(now, lib.original.at(f));
            continue;
        }
        EXPECT_EQ(now.at("GENRE"), (std::vector<std::string>{"Jazz", "ambient"})) << f;
        EXPECT_EQ(now.at("MOOD"), std::vector<std::string>{"calm"}) << f;
        EXPECT_EQ(nlohmann::json::parse(now.at("TAGSCOPE").at(0)).at("model"), "test-model");
    }
    const auto again = test::runCli(home, {"write", "--from-json", json, "--apply", "--journal", journal});
    EXPECT_NE(again.out.find("write: 0 file(s) written"), std::string::npos) << again.out;
    EXPECT_NE(again.out.find("unchanged: "), std::string::npos) << again.out;

    const auto undo = test::runCli(home, {"write", "--undo", journal});
    EXPECT_EQ(undo.exitCode, 0) << undo.out << undo.err;
    EXPECT_NE(undo.out.find("undo: 5 file(s) restored of 5"), std::string::npos) << undo.out;
    for (const auto& f : lib.files) {
        EXPECT_EQ(fieldsOf(f), lib.original.at(f)) << f;
        EXPECT_TRUE(tagfile::verifySameAudio(lib.pristine / f.filename(), f)) << f;
    }
    EXPECT_EQ(countTemps(home / "music"), 0u);
}

TEST(CliWrite, UsageAndInputErrorsAreOneClearLine) {
    const auto home = test::scratchDir("cli_write_errors");
    // No --from-json: the default catalog, which does not exist yet.
    const auto none = test::runCli(home, {"write", "--apply"});
    EXPECT_EQ(none.exitCode, 1);
    EXPECT_NE(none.err.find("no catalog here"), std::string::npos) << none.err;
    EXPECT_NE(none.err.find("--from-json"), std::string::npos) << none.err;
    const auto missing = test::runCli(home, {"write", "--from-json", (home / "nope.json").string()});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("nope.json: analysis file not found"), std::string::npos) << missing.err;
    const auto badUndo = test::runCli(home, {"write", "--undo", (home / "nope.jsonl").string()});
    EXPECT_EQ(badUndo.exitCode, 1);
    EXPECT_NE(badUndo.err.find("journal not found"), std::string::npos) << badUndo.err;
}

// NOTE: SIGKILL lands after a random number of files has been reported done, plus a random few
// milliseconds, so over the rounds it hits every stage (copy, tag, check, journal, rename).
TEST(CliWrite, KillDuringABatchLeavesEveryFileAsBeforeOrAsIntended) {
    const auto home = test::scratchDir("cli_write_kill");
    const Library lib = makeLibrary(home, 18);
    ASSERT_EQ(lib.files.size(), 18u);
    writeJson(home / "analyses.json", lib.files);
    const std::vector<std::string> args = {"write", "--from-json", (home / "analyses.json").string(), "--apply",
                                           "--journal", (home / "journal.jsonl").string()};
    constexpr int kRounds = 4;
    std::mt19937 rng(20261130);
    std::vector<std::map<fs::path, FieldMap>> observed;
    size_t killedMidway = 0;
    for (int round = 0; round < kRounds; ++round) {
        std::set<fs::path> before;
        for (const auto& e : fs::directory_iterator(home)) before.insert(e.path());
        test::CliProcess p(home, args);
        ASSERT_TRUE(p.started());
        fs::path stdoutPath;
        for (const auto& e : fs::directory_iterator(home))
            if (!before.count(e.path()) && e.path().filename().string().rfind("stdout", 0) == 0) stdoutPath = e.path();
        ASSERT_FALSE(stdoutPath.empty());
        const size_t target = std::uniform_int_distribution<size_t>(0, lib.files.size() - 1)(rng);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        for (;;) {
            const std::string text = test::readText(stdoutPath);
            const size_t done = size_t(std::count(text.begin(), text.end(), '\n'));
            if (done >= target || text.find("write: ") != std::string::npos || std::chrono::steady_clock::now() > deadline)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 40000)(rng)));
        ::kill(p.pid(), SIGKILL);
        const auto r = p.wait();
        killedMidway += r.exitCode == 128 + SIGKILL;
        std::map<fs::path, FieldMap> now;
        for (const auto& f : lib.files) {
            EXPECT_TRUE(tagfile::verifySameAudio(lib.pristine / f.filename(), f)) << "round " << round << ": " << f;
            now[f] = fieldsOf(f);
        }
        observed.push_back(std::move(now));
    }
    const auto finish = test::runCli(home, args);
    EXPECT_EQ(finish.exitCode, 0) << finish.out << finish.err;
    EXPECT_EQ(countTemps(home / "music"), 0u) << "the next run removes temporary copies left by a kill";
    for (const auto& f : lib.files) {
        EXPECT_TRUE(tagfile::verifySameAudio(lib.pristine / f.filename(), f)) << f;
        const FieldMap intended = fieldsOf(f);
        EXPECT_EQ(intended.at("GENRE"), (std::vector<std::string>{"Jazz", "ambient"})) << f;
        for (size_t round = 0; round < observed.size(); ++round) {
            const FieldMap& seen = observed[round].at(f);
            EXPECT_TRUE(seen == lib.original.at(f) || seen == intended) << "round " << round << ": " << f << " has a third state";
        }
    }
    const auto undo = test::runCli(home, {"write", "--undo", (home / "journal.jsonl").string()});
    EXPECT_EQ(undo.exitCode, 0) << undo.out << undo.err;
    for (const auto& f : lib.files) EXPECT_EQ(fieldsOf(f), lib.original.at(f)) << f;
    std::printf("[ info ] %zu of 4 rounds were killed before the batch ended\n", killedMidway);
}

} // namespace
} // namespace tagscope
