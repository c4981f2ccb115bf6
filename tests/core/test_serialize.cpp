// SPDX-License-Identifier: GPL-3.0-or-later
#include <sstream>

#include <gtest/gtest.h>

#include "core/analysis/serialize.h"

namespace tagscope {
namespace {

using analysis::TrackAnalysis;
using nlohmann::json;

analysis::TimeSeries series(std::vector<float> values, double step) {
    analysis::TimeSeries s;
    for (size_t i = 0; i < values.size(); ++i) {
        s.startSeconds.push_back(double(i) * step);
        s.endSeconds.push_back(double(i + 1) * step);
    }
    s.values = std::move(values);
    return s;
}

// Two vocabularies, three chunks, attention and a hierarchy: every part of the schema is used.
TrackAnalysis sampleAnalysis() {
    TrackAnalysis a;
    a.file = "/music/a, \"b\".ogg";
    a.modelId = "test-model";
    a.tagNames = {"piano", "rock", "female, vocal", "happy"};
    a.vocabularyOfTag = {"v1", "v1", "v1", "moods"};
    a.sampleRate = 16000;
    a.durationSeconds = 70.5;
    a.chunkSeconds = 29.0;
    a.hopSeconds = 29.0;
    a.taggram.tagCount = 4;
    a.taggram.chunkStartSeconds = {0.0, 29.0, 58.0};
    a.taggram.chunkEndSeconds = {29.0, 58.0, 70.5};
    a.taggram.values = {0.1f, 0.9f, 0.3f, 0.2f, 0.4f, 0.7f, 0.2f, 0.6f, 0.7f, 0.2f, 0.1f, 0.4f};
    a.trackScores = {0.4f, 0.6f, 0.2f, 0.4f};
    analysis::AttentionExplanation att;
    att.layers = 2;
    att.heads = 1;
    att.clsRow = {{series({0.5f, 0.5f}, 1.0)}, {series({0.25f, 0.75f}, 1.0)}};
    att.clsRowMean = {series({0.5f, 0.5f}, 1.0), series({0.25f, 0.75f}, 1.0)};
    att.receivedMean = att.clsRowMean;
    att.rollout = series({0.3f, 0.7f}, 1.0);
    a.attention = att;
    a.hierarchy = {{"rock & metal", 0.6f, 1, "rock", {1}, false, {}}, {"keys", 0.4f, 0, "piano", {0}, false, {}}};
    a.warnings = {"taxonomy.json: not found"};
    return a;
}

TEST(Serialize, JsonHasEverySchemaField) {
    const auto a = sampleAnalysis();
    cards::ModelCard card;
    card.id = "test-model";
    card.name = "Test";
    card.architecture = "fcn";
    card.sampleRate = 16000;
    card.chunkSamples = 464000;
    card.license = "MIT";
    const json j = analysis::toJson(a, &card);
    EXPECT_EQ(j.at("schema_version"), analysis::kSchemaVersion);
    EXPECT_EQ(j.at("file"), a.file.string());
    EXPECT_EQ(j.at("model").at("id"), "test-model");
    EXPECT_EQ(j.at("model").at("architecture"), "fcn");
    EXPECT_EQ(j.at("model").at("license"), "MIT");
    EXPECT_DOUBLE_EQ(j.at("model").at("chunk_seconds").get<double>(), 29.0);
    ASSERT_EQ(j.at("vocabularies").size(), 2u);
    EXPECT_EQ(j["vocabularies"][0]["name"], "v1");
    EXPECT_EQ(j["vocabularies"][0]["tags"].size(), 3u);
    EXPECT_EQ(j["vocabularies"][1]["tags"][0], "happy");
    // Ranked best first, ties in output order, exact float values (0.6f prints as 0.6).
    const auto& ranked = j.at("ranked");
    ASSERT_EQ(ranked.size(), 4u);
    EXPECT_EQ(ranked[0]["tag"], "rock");
    EXPECT_EQ(ranked[0]["rank"], 1);
    EXPECT_EQ(ranked[0]["score"].dump(), "0.6");
    EXPECT_EQ(ranked[1]["tag"], "piano");
    EXPECT_EQ(ranked[2]["tag"], "happy");
    EXPECT_EQ(ranked[2]["vocabulary"], "moods");
    const auto& taggram = j.at("taggram");
    EXPECT_EQ(taggram.at("chunk_start_seconds"), json({0.0, 29.0, 58.0}));
    EXPECT_EQ(taggram.at("chunk_end_seconds")[2], 70.5);
    ASSERT_EQ(taggram.at("values").size(), 3u);
    EXPECT_EQ(taggram["values"][1][2].get<float>(), 0.2f);
    EXPECT_EQ(j.at("hierarchy")[0]["evidence_tag"], "rock");
    EXPECT_EQ(j.at("hierarchy")[0]["members"], json({"rock"}));
    EXPECT_EQ(j.at("attention").at("rollout").at("values").size(), 2u);
    EXPECT_EQ(j.at("warnings").size(), 1u);
    EXPECT_FALSE(j.contains("explanations"));
}

TEST(Serialize, TopAndThresholdLimitRankedOnly) {
    const auto a = sampleAnalysis();
    analysis::ExportOptions o;
    o.top = 2;
    EXPECT_EQ(analysis::toJson(a, nullptr, {}, o).at("ranked").size(), 2u);
    o.top = 0;
    o.threshold = 0.39f;
    const json j = analysis::toJson(a, nullptr, {}, o);
    EXPECT_EQ(j.at("ranked").size(), 3u);
    EXPECT_EQ(j.at("track_scores").size(), 4u);
    EXPECT_EQ(j.at("model").at("id"), "test-model");
}

TEST(Serialize, JsonRoundTrip) {
    const auto a = sampleAnalysis();
    const std::string text = analysis::toJson(a, nullptr).dump();
    auto back = analysis::analysisFromJson(json::parse(text), "x.json");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->file, a.file);
    EXPECT_EQ(back->modelId, a.modelId);
    EXPECT_EQ(back->tagNames, a.tagNames);
    EXPECT_EQ(back->vocabularyOfTag, a.vocabularyOfTag);
    EXPECT_EQ(back->sampleRate, a.sampleRate);
    EXPECT_EQ(back->durationSeconds, a.durationSeconds);
    EXPECT_EQ(back->trackScores, a.trackScores);
    EXPECT_EQ(back->taggram.values, a.taggram.values);
    EXPECT_EQ(back->taggram.chunkEndSeconds, a.taggram.chunkEndSeconds);
    ASSERT_EQ(back->hierarchy.size(), 2u);
    EXPECT_EQ(back->hierarchy[1].evidenceIndex, 0u);
    EXPECT_EQ(back->hierarchy[1].members, a.hierarchy[1].members);
    ASSERT_TRUE(back->attention);
    EXPECT_EQ(back->attention->rollout.values, a.attention->rollout.values);
    EXPECT_EQ(back->attention->clsRow[1][0].values, a.attention->clsRow[1][0].values);
    EXPECT_EQ(back->warnings, a.warnings);
    EXPECT_FALSE(back->hierarchy[0].learned);
    EXPECT_FALSE(analysis::toJson(a, nullptr).at("hierarchy")[0].contains("learned"));
}

TEST(Serialize, LearnedGroupsKeepTheirFlagAndTheFineTagsTheyAttendedTo) {
    auto a = sampleAnalysis();
    a.hierarchy[0].learned = true;
    a.hierarchy[0].relation = {{1, 0.7f}, {0, 0.2f}};
    const auto j = analysis::toJson(a, nullptr);
    EXPECT_EQ(j.at("hierarchy")[0]["learned"], true);
    EXPECT_EQ(j.at("hierarchy")[0]["relation"][0]["tag"], a.tagNames[1]);
    auto back = analysis::analysisFromJson(json::parse(j.dump()), "x.json");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(back->hierarchy[0].learned);
    ASSERT_EQ(back->hierarchy[0].relation.size(), 2u);
    EXPECT_EQ(back->hierarchy[0].relation[0].first, 1u);
    EXPECT_FLOAT_EQ(back->hierarchy[0].relation[1].second, 0.2f);
}

TEST(Serialize, ExplanationRoundTrip) {
    analysis::TagExplanation e;
    e.tag = 1;
    e.tagName = "rock";
    e.trackScore = 0.6f;
    e.contribution = series({0.1f, 0.9f}, 0.5);
    analysis::GradientRelevance rel;
    rel.tag = 1;
    rel.map = {2, 3, {1, 2, 3, 4, 5, 6}};
    rel.frameSeconds = 0.016;
    rel.perFrame = series({5, 7, 9}, 0.016);
    e.relevance = rel;
    analysis::Faithfulness f;
    f.tag = 1;
    f.tagName = "rock";
    f.method = "gradient";
    f.k = 3;
    f.segmentSeconds = 1.0;
    f.baseline = 0.6f;
    f.afterTopK = 0.2f;
    f.afterRandom = 0.5f;
    e.faithfulness = {f};
    e.evidenceSegments = {{3.0, 4.0}, {10.0, 11.0}};

    const json j = analysis::explanationToJson(e, true);
    EXPECT_EQ(j.at("faithfulness")[0].at("advantage").get<float>(), f.advantage());
    EXPECT_FALSE(j["faithfulness"][0].at("summary").get<std::string>().empty());
    EXPECT_FALSE(analysis::explanationToJson(e, false).at("relevance").contains("map"));
    auto back = analysis::explanationFromJson(json::parse(j.dump()));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->tagName, "rock");
    ASSERT_TRUE(back->contribution && back->relevance);
    EXPECT_EQ(back->contribution->values, e.contribution->values);
    EXPECT_EQ(back->relevance->map.values, rel.map.values);
    EXPECT_EQ(back->relevance->perFrame.endSeconds, rel.perFrame.endSeconds);
    ASSERT_EQ(back->faithfulness.size(), 1u);
    EXPECT_EQ(back->faithfulness[0].afterRandom, 0.5f);
    EXPECT_EQ(back->evidenceSegments, e.evidenceSegments);

    const json withExpl = analysis::toJson(sampleAnalysis(), nullptr, {e});
    ASSERT_EQ(withExpl.at("explanations").size(), 1u);
    EXPECT_EQ(withExpl["explanations"][0]["tag"], "rock");
}

TEST(Serialize, ReadingBadExportsFailsWithTheReason) {
    json j = analysis::toJson(sampleAnalysis(), nullptr);
    json missing = j;
    missing.erase("track_scores");
    auto r = analysis::analysisFromJson(missing, "old.json");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::InvalidInput);
    EXPECT_NE(r.error().message.find("old.json"), std::string::npos);
    EXPECT_NE(r.error().message.find("track_scores"), std::string::npos) << r.error().message;

    json newer = j;
    newer["schema_version"] = analysis::kSchemaVersion + 1;
    r = analysis::analysisFromJson(newer, "new.json");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("newer"), std::string::npos);

    json shortRow = j;
    shortRow["taggram"]["values"][0].erase(0);
    EXPECT_FALSE(analysis::analysisFromJson(shortRow));
    json badSeries = j;
    badSeries["attention"]["rollout"]["values"].push_back(1.0);
    EXPECT_FALSE(analysis::analysisFromJson(badSeries));
    EXPECT_FALSE(analysis::analysisFromJson(json::array()));
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

TEST(Serialize, TagCsvOneRowPerTagWithQuoting) {
    const auto a = sampleAnalysis();
    EXPECT_EQ(analysis::tagCsvHeader(), "file,model,tag,vocabulary,score,rank\n");
    const auto rows = lines(analysis::tagCsvRows(a));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0], "\"/music/a, \"\"b\"\".ogg\",test-model,rock,v1,0.6,1");
    EXPECT_EQ(rows[3], "\"/music/a, \"\"b\"\".ogg\",test-model,\"female, vocal\",v1,0.2,4");
    EXPECT_EQ(lines(analysis::tagCsvRows(a, 1)).size(), 1u);
    EXPECT_EQ(lines(analysis::tagCsvRows(a, 0, 0.5f)).size(), 1u);
}

TEST(Serialize, TaggramCsvHasTimesAndOneColumnPerTag) {
    const auto rows = lines(analysis::taggramCsv(sampleAnalysis()));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0], "chunk_start,chunk_end,piano,rock,\"female, vocal\",happy");
    EXPECT_EQ(rows[1], "0,29,0.1,0.9,0.3,0.2");
    EXPECT_EQ(rows[3], "58,70.5,0.7,0.2,0.1,0.4");
}

TEST(Serialize, CsvFieldQuotesOnlyWhenNeeded) {
    EXPECT_EQ(analysis::csvField("plain"), "plain");
    EXPECT_EQ(analysis::csvField("a,b"), "\"a,b\"");
    EXPECT_EQ(analysis::csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(analysis::csvField("two\nlines"), "\"two\nlines\"");
}

} // namespace
} // namespace tagscope
