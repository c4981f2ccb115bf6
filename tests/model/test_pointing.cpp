// SPDX-License-Identifier: GPL-3.0-or-later
// Pointing benchmark on a short spliced track: 8 s of jazz, classical and sung folk (the CC-BY
// clips), the bundled student; each passage's own tag must find its evidence in that passage.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/cards/model_card.h"
#include "core/model/pointing.h"
#include "tests/support/test_paths.h"

using namespace tagscope;

namespace {

constexpr const char* kClips[] = {"audio/Kevin_MacLeod_-_Vibe_Ace.ogg",
                                  "audio/Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.ogg",
                                  "audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg"};

} // namespace

TEST(Pointing, EachPassagesTagPointsIntoThatPassage) {
    for (const char* clip : kClips) TAGSCOPE_REQUIRE_SHARED(clip);
    auto card = cards::loadModelCard(test::sourceDir() / "models" / "tagscope_mtt_student.json");
    ASSERT_TRUE(card) << card.error().message;
    auto tagger = model::Tagger::load(*card, {"cpu", 1});
    ASSERT_TRUE(tagger) << tagger.error().message;
    model::Analyzer analyzer(std::shared_ptr<model::Tagger>(std::move(*tagger)));
    std::vector<audio::AudioBuffer> passages;
    std::vector<std::string> names;
    for (const char* clip : kClips) {
        auto audio = audio::decodeAudio(test::sharedPath(clip), {16000, 30.0, 8.0});
        ASSERT_TRUE(audio) << audio.error().message;
        passages.push_back(std::move(*audio));
        names.push_back(std::filesystem::path(clip).stem().string());
    }
    model::ExplainOptions opt;
    opt.faithfulness = false;
    opt.contribution = false;
    auto r = model::runPointing(analyzer, passages, names, opt);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->passages.size(), 3u);
    for (const auto& p : r->passages) {
        std::printf("[pointing] %-45s %-28s margin %.2f occlusion %.2f gradient %.2f attribution %.2f\n",
                    p.source.c_str(), p.tagName.c_str(), double(p.margin), p.share.at("occlusion"),
                    p.share.at("gradient"), p.share.at("attribution"));
        EXPECT_GT(p.margin, 0.0f) << p.source; // each passage has a tag of its own
        EXPECT_EQ(p.bestMethod, "occlusion");  // the default before curves exist
    }
    for (const auto& [method, share] : r->meanShare) std::printf("[pointing] mean %s %.3f\n", method.c_str(), share);
    // Chance is 1/3 (three passages of equal length). NOTE: 8 s passages straddle the student's
    // taggram chunks, so part of each passage's context is the next passage. Measured for
    // occlusion here: v1 (5 s chunks) 0.79; v2 (3 s chunks, track tags from 29 s) 0.74, and 0.66-0.70
    // with v2's weights at 5 s chunks (bench/run_pointing_bench.sh measures the goal of 0.8 on
    // longer material).
    EXPECT_GE(r->meanShare.at("occlusion"), 0.7);
    EXPECT_GE(r->defaultShare, 0.7);
    EXPECT_GT(r->meanShare.at("occlusion"), r->meanShare.at("rollout")); // rollout knows no tag

    std::vector<audio::AudioBuffer> one(passages.begin(), passages.begin() + 1);
    EXPECT_FALSE(model::runPointing(analyzer, one, {"x"}, opt));
    passages[1].sampleRate = 22050;
    EXPECT_FALSE(model::runPointing(analyzer, passages, names, opt));
}
