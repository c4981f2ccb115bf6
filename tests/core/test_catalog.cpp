// SPDX-License-Identifier: GPL-3.0-or-later
// The library catalog: schema and migrations, WAL, round trips (incl. non-UTF-8 paths),
// atomic stores, merge, failure paths.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/catalog/catalog.h"
#include "core/catalog/catalog_schema.h"
#include "core/catalog/path_text.h"
#include "core/catalog/shard.h"
#include "core/catalog/sqlite_db.h"
#include "tests/support/test_paths.h"

namespace tagscope::catalog {
namespace {
namespace fs = std::filesystem;

/// A small analysis with known numbers: 3 tags, 4 chunks of 2 s.
analysis::TrackAnalysis makeAnalysis(const std::string& model = "toy", float bias = 0.0f) {
    analysis::TrackAnalysis a;
    a.modelId = model;
    a.tagNames = {"piano", "guitar", "ambient"};
    a.vocabularyOfTag = {"MTAT", "MTAT", "Jamendo genre"};
    a.sampleRate = 16000;
    a.durationSeconds = 8.0;
    a.chunkSeconds = 2.0;
    a.hopSeconds = 2.0;
    a.taggram.tagCount = 3;
    for (int c = 0; c < 4; ++c) {
        a.taggram.chunkStartSeconds.push_back(2.0 * c);
        a.taggram.chunkEndSeconds.push_back(2.0 * c + 2.0);
        a.taggram.values.insert(a.taggram.values.end(), {0.1f * c + bias, 0.5f, 0.9f - 0.2f * c});
    }
    a.trackScores = {0.15f + bias, 0.5f, 0.6f};
    a.hierarchy.push_back({"keys", 0.15f + bias, 0, "piano", {0}, false, {}});
    a.warnings = {"a warning"};
    return a;
}

TrackFile trackAt(const fs::path& p, const std::string& hash, int64_t mtime = 1000) { return {p, 1234, mtime, hash}; }

AnalysisKey keyOf(const std::string& hash) { return {hash, std::string(64, 'a'), "{}"}; }

fs::path dbPath(const std::string& name) { return test::scratchDir("catalog_" + name) / "catalog.sqlite"; }

TEST(Catalog, CreatesCurrentSchemaInWalMode) {
    const auto file = dbPath("create") ;
    auto c = Catalog::open(file);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->schemaVersion(), kCatalogSchemaVersion);
    auto db = detail::SqliteDb::open(file, false);
    ASSERT_TRUE(db);
    detail::Statement q(*db, "PRAGMA journal_mode");
    ASSERT_TRUE(*q.step());
    EXPECT_EQ(q.text(0), "wal");
    detail::Statement v(*db, "PRAGMA user_version");
    ASSERT_TRUE(*v.step());
    EXPECT_EQ(v.int64(0), kCatalogSchemaVersion);
}

TEST(Catalog, MigratesAVersion1CatalogKeepingItsRows) {
    const auto file = dbPath("migrate");
    {
        auto db = detail::SqliteDb::open(file, true);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec(detail::migrations()[0]));
        ASSERT_TRUE(db->exec("PRAGMA user_version = 1"));
        ASSERT_TRUE(db->exec("INSERT INTO tracks(path_bytes, path_text, size, mtime_ns, audio_hash) "
                             "VALUES(X'2f612e6f6767', '/a.ogg', 5, 6, 'h')"));
    }
    auto c = Catalog::open(file);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->schemaVersion(), 2);
    auto t = c->track("/a.ogg");
    ASSERT_TRUE(t && *t);
    EXPECT_EQ((*t)->size, 5);
    EXPECT_EQ((*t)->audioHash, "h");
    // The version-2 table exists now: storing evidence works.
    ASSERT_TRUE(c->storeAnalysis(trackAt("/a.ogg", "h"), keyOf("h"), makeAnalysis(), {{0, 0, 0.0, 2.0, 0.5f}}));
    auto ev = c->evidence(keyOf("h"));
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->size(), 1u);
}

TEST(Catalog, RefusesACatalogFromANewerVersion) {
    const auto file = dbPath("newer");
    {
        auto db = detail::SqliteDb::open(file, true);
        ASSERT_TRUE(db && db->exec("PRAGMA user_version = 99"));
    }
    auto c = Catalog::open(file);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, Error::Kind::Mismatch);
    EXPECT_NE(c.error().message.find("newer"), std::string::npos);
    EXPECT_NE(c.error().message.find("catalog.sqlite"), std::string::npos);
}

TEST(Catalog, RefusesAFileThatIsNotACatalogWithoutTouchingIt) {
    const auto file = dbPath("garbage");
    const std::string junk(4096, 'x');
    std::ofstream(file, std::ios::binary) << junk;
    auto c = Catalog::open(file);
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("catalog.sqlite"), std::string::npos);
    std::ifstream in(file, std::ios::binary);
    const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(back, junk);
    EXPECT_FALSE(Catalog::open(file.parent_path())); // a folder
}

TEST(Catalog, StoresAndLoadsAnAnalysis) {
    auto c = Catalog::open(dbPath("roundtrip"));
    ASSERT_TRUE(c);
    const auto a = makeAnalysis();
    const auto ev = evidenceFromTaggram(a, 2, 2);
    ASSERT_TRUE(c->storeAnalysis(trackAt("/music/x.flac", "h1"), keyOf("h1"), a, ev));
    auto has = c->hasAnalysis(keyOf("h1"));
    ASSERT_TRUE(has);
    EXPECT_TRUE(*has);
    EXPECT_FALSE(*c->hasAnalysis({"h1", std::string(64, 'a'), "{\"hop\":1}"})); // other options
    auto back = c->loadAnalysis(keyOf("h1"));
    ASSERT_TRUE(back && *back) << (back ? "" : back.error().message);
    const auto& b = **back;
    EXPECT_EQ(b.modelId, "toy");
    EXPECT_EQ(b.tagNames, a.tagNames);
    EXPECT_EQ(b.vocabularyOfTag, a.vocabularyOfTag);
    EXPECT_EQ(b.trackScores, a.trackScores);
    EXPECT_EQ(b.taggram.values, a.taggram.values);
    EXPECT_EQ(b.taggram.chunkStartSeconds, a.taggram.chunkStartSeconds);
    EXPECT_EQ(b.taggram.chunkEndSeconds, a.taggram.chunkEndSeconds);
    EXPECT_DOUBLE_EQ(b.durationSeconds, 8.0);
    ASSERT_EQ(b.hierarchy.size(), 1u);
    EXPECT_EQ(b.hierarchy[0].group, "keys");
    EXPECT_EQ(b.hierarchy[0].members, std::vector<size_t>{0});
    EXPECT_EQ(b.warnings, a.warnings);
    auto storedEv = c->evidence(keyOf("h1"));
    ASSERT_TRUE(storedEv);
    ASSERT_EQ(storedEv->size(), ev.size());
    // Evidence of the best tag (ambient) is its strongest chunk: the first (0.9).
    EXPECT_EQ((*storedEv)[0].tag, 1u); // ordered by tag index: guitar, then ambient
    EXPECT_EQ((*storedEv)[3].tag, 2u);
    auto latest = c->latestAnalysis("/music/x.flac");
    ASSERT_TRUE(latest && *latest);
    EXPECT_EQ((*latest)->file, fs::path("/music/x.flac"));
    EXPECT_FALSE(*c->latestAnalysis("/music/x.flac", "other-model"));
    EXPECT_FALSE(*c->latestAnalysis("/music/missing.flac"));
}

TEST(Catalog, EvidenceIsTheStrongestChunksOfTheTopTags) {
    const auto ev = evidenceFromTaggram(makeAnalysis(), 1, 2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].tag, 2u); // ambient has the top score
    EXPECT_DOUBLE_EQ(ev[0].startSeconds, 0.0);
    EXPECT_FLOAT_EQ(ev[0].score, 0.9f);
    EXPECT_DOUBLE_EQ(ev[1].startSeconds, 2.0);
    analysis::TrackAnalysis empty;
    EXPECT_TRUE(evidenceFromTaggram(empty).empty());
}

TEST(Catalog, TracksWithLatestAnalysisPicksTheNewestPerModel) {
    auto c = Catalog::open(dbPath("latest"));
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->storeAnalysis(trackAt("/m/a.ogg", "ha"), keyOf("ha"), makeAnalysis("toy"), {}));
    ASSERT_TRUE(c->storeAnalysis(trackAt("/m/b.ogg", "hb"), keyOf("hb"), makeAnalysis("toy"), {}));
    AnalysisKey other{"ha", std::string(64, 'b'), "{}"};
    ASSERT_TRUE(c->storeAnalysis(trackAt("/m/a.ogg", "ha"), other, makeAnalysis("big", 0.5f), {}));
    ASSERT_TRUE(c->putTrack(trackAt("/m/unanalysed.ogg", "hz")));
    auto all = c->tracksWithLatestAnalysis();
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->size(), 2u); // the unanalysed track is left out
    EXPECT_EQ((*all)[0].path, fs::path("/m/a.ogg"));
    EXPECT_EQ((*all)[0].modelId, "big");
    EXPECT_FLOAT_EQ((*all)[0].scores[0], 0.65f);
    EXPECT_EQ((*all)[0].modelSha256, std::string(64, 'b'));
    auto toy = c->tracksWithLatestAnalysis("toy");
    ASSERT_TRUE(toy);
    ASSERT_EQ(toy->size(), 2u);
    EXPECT_EQ((*toy)[0].modelId, "toy");
    EXPECT_EQ((*toy)[0].tagNames.size(), 3u);
    EXPECT_EQ((*toy)[0].vocabularies[2], "Jamendo genre");
    EXPECT_TRUE(c->tracksWithLatestAnalysis("none")->empty());
    ASSERT_TRUE(c->removeTrack("/m/b.ogg"));
    EXPECT_EQ(c->tracksWithLatestAnalysis()->size(), 1u);
}

TEST(Catalog, NonUtf8PathsRoundTripExactly) {
    auto c = Catalog::open(dbPath("nonutf8"));
    ASSERT_TRUE(c);
    const fs::path odd(std::string("/music/caf\xe9 \xff\xfe.ogg"));
    ASSERT_TRUE(c->storeAnalysis(trackAt(odd, "h"), keyOf("h"), makeAnalysis(), {}));
    auto tracks = c->tracks();
    ASSERT_TRUE(tracks);
    ASSERT_EQ(tracks->size(), 1u);
    EXPECT_EQ((*tracks)[0].path.native(), odd.native());
    EXPECT_TRUE(*c->track(odd));
    auto all = c->tracksWithLatestAnalysis();
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].path.native(), odd.native());
    EXPECT_EQ(displayPath(odd), "/music/caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD.ogg");
}

TEST(Catalog, AFailedStoreLeavesNothingBehind) {
    auto c = Catalog::open(dbPath("atomic"));
    ASSERT_TRUE(c);
    auto bad = makeAnalysis();
    bad.trackScores.pop_back();
    EXPECT_FALSE(c->storeAnalysis(trackAt("/m/a.ogg", "h"), keyOf("h"), bad, {}));
    EXPECT_FALSE(*c->hasAnalysis(keyOf("h")));
    EXPECT_TRUE(c->tracks()->empty());
    // Storing the same key twice keeps one analysis and re-points the second path at it.
    ASSERT_TRUE(c->storeAnalysis(trackAt("/m/a.ogg", "h"), keyOf("h"), makeAnalysis(), {}));
    ASSERT_TRUE(c->storeAnalysis(trackAt("/m/moved.ogg", "h"), keyOf("h"), makeAnalysis("toy", 0.3f), {}));
    auto db = detail::SqliteDb::open(c->file(), false);
    detail::Statement n(*db, "SELECT count(*) FROM analyses");
    ASSERT_TRUE(*n.step());
    EXPECT_EQ(n.int64(0), 1);
    EXPECT_FLOAT_EQ((*c->latestAnalysis("/m/moved.ogg"))->trackScores[0], 0.15f);
}

TEST(Catalog, MergeCombinesShardsWithoutDuplicates) {
    const auto a = dbPath("merge_a"), b = dbPath("merge_b"), into = dbPath("merge_into");
    {
        auto ca = Catalog::open(a);
        ASSERT_TRUE(ca->storeAnalysis(trackAt("/m/1.ogg", "h1", 10), keyOf("h1"), makeAnalysis(), {{2, 0, 0, 2, 0.9f}}));
        ASSERT_TRUE(ca->storeAnalysis(trackAt("/m/shared.ogg", "hs", 10), keyOf("hs"), makeAnalysis(), {}));
        auto cb = Catalog::open(b);
        ASSERT_TRUE(cb->storeAnalysis(trackAt("/m/2.ogg", "h2", 10), keyOf("h2"), makeAnalysis("toy", 0.2f), {}));
        ASSERT_TRUE(cb->storeAnalysis(trackAt("/m/shared.ogg", "hs2", 20), keyOf("hs2"), makeAnalysis(), {}));
        ASSERT_TRUE(cb->storeAnalysis(trackAt("/m/copy.ogg", "h1", 10), keyOf("h1"), makeAnalysis(), {}));
    }
    auto c = Catalog::open(into);
    ASSERT_TRUE(c);
    auto s1 = c->mergeFrom(a);
    ASSERT_TRUE(s1) << s1.error().message;
    EXPECT_EQ(s1->analyses, 2u);
    auto s2 = c->mergeFrom(b);
    ASSERT_TRUE(s2) << s2.error().message;
    EXPECT_EQ(s2->analyses, 2u); // h1 was already there
    auto tracks = c->tracks();
    ASSERT_EQ(tracks->size(), 4u);
    EXPECT_EQ((*c->track("/m/shared.ogg"))->audioHash, "hs2"); // the newer file wins
    EXPECT_FLOAT_EQ((*c->latestAnalysis("/m/2.ogg"))->trackScores[0], 0.35f);
    EXPECT_EQ(c->evidence(keyOf("h1"))->size(), 1u);
    EXPECT_EQ((*c->latestAnalysis("/m/1.ogg"))->taggram.values.size(), 12u);
    // Merging again changes nothing.
    auto again = c->mergeFrom(a);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->analyses, 0u);
    EXPECT_EQ(c->tracks()->size(), 4u);
    EXPECT_FALSE(c->mergeFrom(into));                  // itself
    EXPECT_FALSE(c->mergeFrom(a.parent_path() / "none.sqlite"));
}

TEST(Catalog, DefaultPathHonoursXdgDataHome) {
    const char* old = std::getenv("XDG_DATA_HOME");
    const std::string saved = old ? old : "";
    setenv("XDG_DATA_HOME", "/tmp/xdg-test", 1);
    EXPECT_EQ(Catalog::defaultPath(), fs::path("/tmp/xdg-test/tagscope/catalog.sqlite"));
    setenv("XDG_DATA_HOME", "relative/ignored", 1);
    EXPECT_EQ(Catalog::defaultPath().filename(), "catalog.sqlite");
    EXPECT_NE(Catalog::defaultPath().string().find(".local/share/tagscope"), std::string::npos);
    if (old) setenv("XDG_DATA_HOME", saved.c_str(), 1);
    else unsetenv("XDG_DATA_HOME");
}

TEST(PathText, Utf8ValidationAndHex) {
    EXPECT_TRUE(isValidUtf8("plain é ♪ 𝄞"));
    EXPECT_FALSE(isValidUtf8("\xff"));
    EXPECT_FALSE(isValidUtf8("\xc0\xaf"));        // overlong '/'
    EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));    // surrogate
    EXPECT_FALSE(isValidUtf8("\xe2\x99"));        // truncated
    EXPECT_EQ(toValidUtf8("a\xffz"), "a\xEF\xBF\xBDz");
    EXPECT_EQ(toValidUtf8("ok ♪"), "ok ♪");
    EXPECT_EQ(toHex("/\xff"), "2fff");
    EXPECT_EQ(fromHex("2fff"), "/\xff");
    EXPECT_EQ(fromHex("2"), "");
    EXPECT_EQ(fromHex("zz"), "");
}

} // namespace
} // namespace tagscope::catalog

namespace tagscope::catalog {
namespace {

TEST(Shard, ParsesAndRejects) {
    auto s = parseShard("2/5");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->index, 2);
    EXPECT_EQ(s->count, 5);
    for (const char* bad : {"", "3", "5/5", "-1/3", "1/0", "a/b", "1/2x", "1//2"}) {
        auto r = parseShard(bad);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_NE(r.error().message.find("i/N"), std::string::npos);
        }
    }
}

TEST(Shard, PartitionIsCompleteDisjointDeterministicAndBalanced) {
    const int n = 4;
    std::vector<int> counts(n, 0);
    for (int i = 0; i < 2000; ++i) {
        const std::filesystem::path rel = "artist" + std::to_string(i % 37) + "/album/track" + std::to_string(i) + ".flac";
        int owners = 0;
        for (int k = 0; k < n; ++k) owners += inShard(rel, {k, n}) ? 1 : 0;
        EXPECT_EQ(owners, 1);
        ++counts[size_t(shardOf(rel, n))];
        EXPECT_EQ(shardOf(rel, n), shardOf(std::filesystem::path(rel.string()), n));
    }
    for (int c : counts) EXPECT_GT(c, 400) << "unbalanced shards";
    // A known value pins the hash, so machines built from other versions agree.
    EXPECT_EQ(shardOf("a/b.flac", 1000003), 562724); // FNV-1a 64 computed independently
    EXPECT_EQ(shardOf("x.ogg", 1), 0);
    EXPECT_EQ(shardOf(std::string("caf\xe9.ogg"), 7), shardOf(std::string("caf\xe9.ogg"), 7));
}

} // namespace
} // namespace tagscope::catalog
