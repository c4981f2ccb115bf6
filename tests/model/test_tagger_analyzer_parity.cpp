// SPDX-License-Identifier: GPL-3.0-or-later
// The tagger through the one-decode-pass contract (TaggerAnalyzer via runAnalyzers, and the
// decode-ahead TrackPrefetcher used by scan/tag) gives the same analysis as Analyzer::analyzeFile.
#include <gtest/gtest.h>

#include "core/analysis/audio_hash_analyzer.h"
#include "core/analysis/track_prefetcher.h"
#include "core/cards/model_card.h"
#include "core/model/analyzer.h"
#include "core/model/tagger_analyzer.h"
#include "tests/support/test_paths.h"

using namespace tagscope;

namespace {

std::shared_ptr<model::Tagger> bundled() {
    auto card = cards::loadModelCard(test::sourceDir() / "models" / "tagscope_mtt_student.json");
    if (!card) return nullptr;
    auto tagger = model::Tagger::load(*card, {"cpu", 1});
    return tagger ? std::shared_ptr<model::Tagger>(std::move(*tagger)) : nullptr;
}

void expectSame(const analysis::TrackAnalysis& a, const analysis::TrackAnalysis& b) {
    EXPECT_EQ(a.modelId, b.modelId);
    EXPECT_EQ(a.tagNames, b.tagNames);
    EXPECT_NEAR(a.durationSeconds, b.durationSeconds, 1e-9);
    ASSERT_EQ(a.trackScores.size(), b.trackScores.size());
    for (size_t i = 0; i < a.trackScores.size(); ++i) EXPECT_NEAR(a.trackScores[i], b.trackScores[i], 1e-6) << i;
    EXPECT_EQ(a.taggram.chunkStartSeconds, b.taggram.chunkStartSeconds);
    ASSERT_EQ(a.taggram.values.size(), b.taggram.values.size());
    for (size_t i = 0; i < a.taggram.values.size(); ++i) EXPECT_NEAR(a.taggram.values[i], b.taggram.values[i], 1e-6) << i;
    ASSERT_EQ(a.hierarchy.size(), b.hierarchy.size());
    for (size_t i = 0; i < a.hierarchy.size(); ++i) EXPECT_EQ(a.hierarchy[i].group, b.hierarchy[i].group);
}

} // namespace

TEST(TaggerAnalyzer, RunAnalyzersGivesTheSameAnalysisAsAnalyzeFile) {
    TAGSCOPE_REQUIRE_SHARED("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    const auto clip = test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    auto tagger = bundled();
    ASSERT_TRUE(tagger);
    model::Analyzer analyzer(tagger);
    model::AnalysisOptions options;
    options.attention = false;
    auto direct = analyzer.analyzeFile(clip, options);
    ASSERT_TRUE(direct) << direct.error().message;

    analysis::AudioHashAnalyzer hash;
    model::TaggerAnalyzer viaContract(analyzer, options);
    analysis::AudioAnalyzer* analyzers[] = {&hash, &viaContract};
    auto ok = analysis::runAnalyzers(clip, analyzers);
    ASSERT_TRUE(ok) << ok.error().message;
    ASSERT_TRUE(viaContract.result());
    expectSame(*direct, *viaContract.result());
    EXPECT_EQ(viaContract.result()->file, clip);
    EXPECT_EQ(hash.hash().size(), 64u);

    // The decode-ahead queue of scan/tag feeds analyzeAudio the same samples.
    analysis::TrackPrefetcher prefetcher({clip}, {tagger->card().sampleRate, options.resampleQuality, true, 1}, nullptr);
    auto t = prefetcher.next();
    ASSERT_TRUE(t && t->audio);
    EXPECT_EQ(t->audioHash, hash.hash());
    auto queued = analyzer.analyzeAudio(*t->audio, options);
    ASSERT_TRUE(queued) << queued.error().message;
    expectSame(*direct, *queued);
}
