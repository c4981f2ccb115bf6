// SPDX-License-Identifier: GPL-3.0-or-later
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "core/analysis/hierarchy.h"
#include "core/tags/tag_vocabulary.h"
#include "core/tags/taxonomy.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;

fs::path writeFile(const fs::path& dir, const std::string& name, const std::string& text) {
    const auto p = dir / name;
    std::ofstream(p) << text;
    return p;
}

TEST(Taxonomy, LoadsGroupsKindsAndMembers) {
    const auto dir = test::scratchDir("taxonomy_load");
    const auto p = writeFile(dir, "t.json", R"({"vocabulary": "v", "groups": [
        {"name": "keys", "kind": "instrument", "members": ["piano", "harpsichord"]},
        {"name": "voice", "members": ["vocal"]}]})");
    auto t = tags::loadTaxonomy(p);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->vocabulary, "v");
    ASSERT_EQ(t->groups.size(), 2u);
    EXPECT_EQ(t->groups[0].name, "keys");
    EXPECT_EQ(t->groups[0].kind, "instrument");
    EXPECT_EQ(t->groups[0].members, (std::vector<std::string>{"piano", "harpsichord"}));
    EXPECT_EQ(t->groups[1].kind, "");
}

TEST(Taxonomy, ErrorsNameTheFileAndTheProblem) {
    const auto dir = test::scratchDir("taxonomy_errors");
    struct Case { std::string text; std::string expected; };
    const std::vector<Case> cases = {
        {"{not json", "not valid JSON"},
        {"[1, 2]", "JSON object"},
        {R"({"vocabulary": "v"})", "no \"groups\""},
        {R"({"groups": []})", "no groups"},
        {R"({"groups": [{"kind": "x", "members": ["a"]}]})", "no \"name\""},
        {R"({"groups": [{"name": "g", "members": []}]})", "'g' has no \"members\""},
        {R"({"groups": [{"name": "g", "members": ["a", 3]}]})", "not a tag name"},
        {R"({"groups": [{"name": "g", "members": ["a"]}, {"name": "g", "members": ["b"]}]})", "defined twice"},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto p = writeFile(dir, "bad" + std::to_string(i) + ".json", cases[i].text);
        auto t = tags::loadTaxonomy(p);
        ASSERT_FALSE(t) << cases[i].text;
        EXPECT_EQ(t.error().kind, Error::Kind::InvalidInput);
        EXPECT_NE(t.error().message.find(p.string()), std::string::npos) << t.error().message;
        EXPECT_NE(t.error().message.find(cases[i].expected), std::string::npos) << t.error().message;
    }
    auto missing = tags::loadTaxonomy(dir / "absent.json");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, Error::Kind::NotFound);
}

TEST(Taxonomy, GroupedMaxPoolPicksMaxAndEvidence) {
    tags::Taxonomy t;
    t.groups = {{"strings", "instrument", {"violin", "cello", "harp"}},
                {"keys", "instrument", {"piano", "harpsichord"}},
                {"absent", "genre", {"polka"}},
                {"voice", "voice", {"vocal", "v2:choir"}}};
    const std::vector<std::string> names = {"piano", "violin", "cello", "vocal", "harpsichord", "choir"};
    const std::vector<float> scores = {0.30f, 0.20f, 0.75f, 0.10f, 0.55f, 0.40f};
    const auto coarse = tags::groupedMaxPool(t, names, scores);
    ASSERT_EQ(coarse.size(), 3u); // "absent" has no member in the vocabulary
    EXPECT_EQ(coarse[0].group, "strings");
    EXPECT_FLOAT_EQ(coarse[0].score, 0.75f);
    EXPECT_EQ(coarse[0].evidenceIndex, 2u);
    EXPECT_EQ(coarse[0].evidenceTag, "cello");
    EXPECT_EQ(coarse[0].members, (std::vector<size_t>{1, 2}));
    EXPECT_EQ(coarse[1].group, "keys");
    EXPECT_EQ(coarse[1].evidenceTag, "harpsichord");
    EXPECT_FLOAT_EQ(coarse[1].score, 0.55f);
    EXPECT_EQ(coarse[2].group, "voice");
    EXPECT_EQ(coarse[2].evidenceTag, "choir"); // "v2:choir" matches the unqualified name
    EXPECT_EQ(coarse[2].members, (std::vector<size_t>{3, 5}));
}

TEST(Taxonomy, GroupedMaxPoolOnRandomScoresAgreesWithBruteForce) {
    tags::Taxonomy t;
    t.groups = {{"a", "", {"t0", "t3", "t5"}}, {"b", "", {"t1", "t2"}}, {"c", "", {"t4", "t5", "t0"}}};
    std::vector<std::string> names;
    for (int i = 0; i < 6; ++i) names.push_back("t" + std::to_string(i));
    unsigned state = 7;
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<float> scores;
        for (int i = 0; i < 6; ++i) {
            state = state * 1103515245u + 12345u;
            scores.push_back(float((state >> 8) % 1000) / 1000.0f);
        }
        const auto coarse = tags::groupedMaxPool(t, names, scores);
        ASSERT_EQ(coarse.size(), 3u);
        for (size_t k = 1; k < coarse.size(); ++k) EXPECT_GE(coarse[k - 1].score, coarse[k].score);
        for (const auto& c : coarse) {
            float best = -1.0f;
            for (size_t m : c.members) best = std::max(best, scores[m]);
            EXPECT_FLOAT_EQ(c.score, best);
            EXPECT_FLOAT_EQ(scores[c.evidenceIndex], best);
            EXPECT_EQ(c.evidenceTag, names[c.evidenceIndex]);
        }
    }
}

// Every bundled taxonomy: loads, every member is a tag of its vocabulary, every tag is in a group.
TEST(Taxonomy, GroupsPoolOneTagAcrossVocabulariesAndQualifiedMembersPickOne) {
    tags::Taxonomy t;
    t.groups = {{"plucked", "instrument", {"guitar"}}, {"mtat guitar", "instrument", {"mtat:guitar"}},
                {"jamendo guitar", "instrument", {"jamendo:guitar"}}};
    const std::vector<std::string> names = {"guitar", "piano", "guitar", "drums"};
    const std::vector<std::string> vocabularies = {"mtat", "mtat", "jamendo", "jamendo"};
    const std::vector<float> scores = {0.2f, 0.9f, 0.6f, 0.1f};
    const auto coarse = tags::groupedMaxPool(t, names, scores, vocabularies);
    ASSERT_EQ(coarse.size(), 3u);
    for (const auto& c : coarse) {
        SCOPED_TRACE(c.group);
        if (c.group == "plucked") {
            EXPECT_EQ(c.members, (std::vector<size_t>{0, 2}));
            EXPECT_EQ(c.evidenceIndex, 2u);
            EXPECT_FLOAT_EQ(c.score, 0.6f);
        } else if (c.group == "mtat guitar") {
            EXPECT_EQ(c.members, (std::vector<size_t>{0}));
        } else {
            EXPECT_EQ(c.members, (std::vector<size_t>{2}));
        }
    }
}

TEST(Taxonomy, MergedTaxonomiesRoundTripAndCoverEveryVocabulary) {
    tags::Taxonomy a{"va", {{"keys", "instrument", {"piano", "synth"}}, {"rock", "genre", {"rock"}}}};
    tags::Taxonomy b{"vb", {{"keys", "other kind", {"piano", "organ"}}, {"mood", "mood", {"sad"}}}};
    const std::vector<tags::Taxonomy> both = {a, b};
    const auto merged = tags::mergeTaxonomies(both);
    EXPECT_EQ(merged.vocabulary, "va+vb");
    ASSERT_EQ(merged.groups.size(), 3u);
    EXPECT_EQ(merged.groups[0].name, "keys");
    EXPECT_EQ(merged.groups[0].kind, "instrument");
    EXPECT_EQ(merged.groups[0].members, (std::vector<std::string>{"piano", "synth", "organ"}));
    EXPECT_EQ(merged.groups[2].name, "mood");

    const auto path = test::scratchDir("taxonomy_merge") / "merged.json";
    ASSERT_TRUE(tags::saveTaxonomy(merged, path, "test"));
    auto loaded = tags::loadTaxonomy(path);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->vocabulary, merged.vocabulary);
    ASSERT_EQ(loaded->groups.size(), merged.groups.size());
    for (size_t i = 0; i < merged.groups.size(); ++i) {
        EXPECT_EQ(loaded->groups[i].name, merged.groups[i].name);
        EXPECT_EQ(loaded->groups[i].kind, merged.groups[i].kind);
        EXPECT_EQ(loaded->groups[i].members, merged.groups[i].members);
    }
    // A path below a regular file cannot be written: an error naming it, not a crash.
    const auto blocker = writeFile(test::scratchDir("taxonomy_merge"), "blocker", "x");
    auto refused = tags::saveTaxonomy(merged, blocker / "t.json");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("blocker"), std::string::npos) << refused.error().message;
}

TEST(Taxonomy, BundledTaxonomiesMatchTheirVocabularies) {
    for (const std::string name : {"mtat_top50", "msd_top50", "jamendo_top50", "msd_cals50"}) {
        SCOPED_TRACE(name);
        TAGSCOPE_REQUIRE_SHARED("tags/" + name + ".txt");
        auto t = tags::loadTaxonomy(test::sourceDir() / "models" / "taxonomy" / (name + ".json"));
        ASSERT_TRUE(t) << t.error().message;
        EXPECT_EQ(t->vocabulary, name);
        auto vocab = tags::loadTagVocabulary(test::sharedPath("tags/" + name + ".txt"));
        ASSERT_TRUE(vocab) << vocab.error().message;
        std::set<std::string> covered;
        for (const auto& g : t->groups) {
            EXPECT_FALSE(g.kind.empty()) << g.name;
            for (const auto& m : g.members) {
                EXPECT_TRUE(vocab->indexOf(m).has_value()) << "group '" << g.name << "' names unknown tag '" << m << "'";
                covered.insert(m);
            }
        }
        for (const auto& tag : vocab->tags) EXPECT_TRUE(covered.count(tag)) << "tag '" << tag << "' is in no group";
        // Pooling the vocabulary itself keeps every group.
        const std::vector<float> scores(vocab->tags.size(), 0.5f);
        EXPECT_EQ(tags::groupedMaxPool(*t, vocab->tags, scores).size(), t->groups.size());
    }
}

} // namespace
} // namespace tagscope

namespace tagscope {

// buildHierarchy: learned group outputs are never members, take over their group's score, and
// name the fine tags their attention chose (weight >= 0.05, strongest first, at most 3).
TEST(Taxonomy, LearnedGroupOutputsReplacePooledScoresAndCarryTheirRelation) {
    tags::Taxonomy taxonomy;
    taxonomy.groups = {{"keys", "instrument", {"piano", "synth", "organ"}}, {"rock", "genre", {"rock"}}};
    analysis::TrackAnalysis r;
    r.tagNames = {"piano", "synth", "rock", "organ", "keys", "rock"};
    r.vocabularyOfTag = {"v", "v", "v", "v", tags::kLearnedGroupsVocabulary, tags::kLearnedGroupsVocabulary};
    r.trackScores = {0.2f, 0.5f, 0.3f, 0.1f, 0.9f, 0.05f};
    // Groups x fine tags (4): keys attends to synth, then piano; rock to rock.
    r.coarseRelation = {0.30f, 0.60f, 0.07f, 0.03f, 0.0f, 0.0f, 1.0f, 0.0f};
    analysis::buildHierarchy(taxonomy, r);
    ASSERT_EQ(r.hierarchy.size(), 2u);
    EXPECT_EQ(r.hierarchy[0].group, "keys");
    EXPECT_TRUE(r.hierarchy[0].learned);
    EXPECT_FLOAT_EQ(r.hierarchy[0].score, 0.9f);
    EXPECT_EQ(r.hierarchy[0].members, (std::vector<size_t>{0, 1, 3}));
    EXPECT_EQ(r.hierarchy[0].evidenceTag, "synth");
    ASSERT_EQ(r.hierarchy[0].relation.size(), 3u);
    EXPECT_EQ(r.hierarchy[0].relation[0].first, 1u);
    EXPECT_EQ(r.hierarchy[0].relation[1].first, 0u);
    EXPECT_EQ(r.hierarchy[0].relation[2].first, 2u);
    // "rock": its learned output (index 5) is not a member of the group of the same name.
    EXPECT_EQ(r.hierarchy[1].group, "rock");
    EXPECT_EQ(r.hierarchy[1].members, (std::vector<size_t>{2}));
    EXPECT_FLOAT_EQ(r.hierarchy[1].score, 0.05f);
    ASSERT_EQ(r.hierarchy[1].relation.size(), 1u);
    // Without a relation matrix of the right size there is no relation, but the scores are learned.
    r.coarseRelation.resize(3);
    analysis::buildHierarchy(taxonomy, r);
    EXPECT_TRUE(r.hierarchy[0].relation.empty());
    EXPECT_TRUE(r.hierarchy[0].learned);
    // A model without learned groups pools as before.
    analysis::TrackAnalysis plain;
    plain.tagNames = {"piano", "synth", "rock", "organ"};
    plain.trackScores = {0.2f, 0.5f, 0.3f, 0.1f};
    analysis::buildHierarchy(taxonomy, plain);
    ASSERT_EQ(plain.hierarchy.size(), 2u);
    EXPECT_FALSE(plain.hierarchy[0].learned);
    EXPECT_FLOAT_EQ(plain.hierarchy[0].score, 0.5f);
}

} // namespace tagscope
