// SPDX-License-Identifier: GPL-3.0-or-later
// The bundled student (models/tagscope_mtt_student.*): it loads, its card's sha256 guards the
// weights, and on the CC-BY clips its top tags overlap those of the teacher ensemble.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "core/audio/audio_decoder.h"
#include "core/io/file_util.h"
#include "core/cards/model_card.h"
#include "core/model/analyzer.h"
#include "core/model/tagger.h"
#include "core/model/training/teacher_cache.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using namespace tagscope::model::training;

namespace {

std::filesystem::path bundledCard() { return test::sourceDir() / "models" / "tagscope_mtt_student.json"; }

std::vector<size_t> topK(const std::vector<float>& scores, size_t offset, size_t k) {
    std::vector<size_t> order(50);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return scores[offset + a] > scores[offset + b]; });
    order.resize(k);
    return order;
}

} // namespace

TEST(BundledStudent, LoadsWithItsCardAndChecksum) {
    auto card = cards::loadModelCard(bundledCard());
    ASSERT_TRUE(card) << card.error().message;
    EXPECT_EQ(card->architecture, "mtt");
    ASSERT_EQ(card->tagCount(), 150u);
    ASSERT_EQ(card->vocabularies.size(), 3u);
    EXPECT_EQ(card->vocabularies[0].name, "mtat_top50");
    auto sha = io::sha256File(card->weightsPath);
    ASSERT_TRUE(sha);
    EXPECT_EQ(*sha, card->sha256);
    EXPECT_LT(std::filesystem::file_size(card->weightsPath), 5u * 1024 * 1024);
    auto tagger = model::Tagger::load(*card, {"cpu", 1});
    ASSERT_TRUE(tagger) << tagger.error().message;

    auto wrong = *card;
    wrong.sha256 = std::string(64, '0');
    auto refused = model::Tagger::load(wrong, {"cpu", 1});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::Mismatch);
}

TEST(BundledStudent, TopTagsOverlapTheTeacherEnsembleOnCcByClips) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    auto card = cards::loadModelCard(bundledCard());
    ASSERT_TRUE(card) << card.error().message;
    auto tagger = model::Tagger::load(*card, {"cpu", 1});
    ASSERT_TRUE(tagger) << tagger.error().message;
    model::Analyzer analyzer(std::shared_ptr<model::Tagger>(std::move(*tagger)));
    auto cache = TeacherCache::open({test::scratchDir("bundled_student_teachers"), 1, 1},
                                    upstreamTeachers(test::sharedPath("models/upstream")));
    ASSERT_TRUE(cache) << cache.error().message;
    const char* clips[] = {"audio/Kevin_MacLeod_-_Vibe_Ace.ogg",
                           "audio/Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.ogg",
                           "audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg"};
    long totalShared = 0;
    for (const char* clip : clips) {
        TAGSCOPE_REQUIRE_SHARED(clip);
        const auto path = test::sharedPath(clip);
        auto info = audio::probeAudio(path);
        ASSERT_TRUE(info);
        auto teachers = (*cache)->ensure(path, info->durationSeconds());
        ASSERT_TRUE(teachers) << teachers.error().message;
        // The student hears the same 29 s window as the teachers, as a user's analysis runs it: the
        // track tags from the card's track chunks when it has them, else from its chunks' mean.
        const double start = teachers->windowStartSeconds.at(0);
        auto audio = audio::decodeAudio(path, {16000, start, double(kWindowSamples) / 16000.0});
        ASSERT_TRUE(audio) << audio.error().message;
        model::AnalysisOptions options;
        options.trackMel = false;
        options.attention = false;
        auto analysed = analyzer.analyzeAudio(*audio, options);
        ASSERT_TRUE(analysed) << analysed.error().message;
        const std::vector<float>& student = analysed->trackScores;
        ASSERT_EQ(student.size(), 150u);
        const char* vocabularies[] = {"mtat_top50", "msd_top50", "jamendo_top50"};
        for (size_t v = 0; v < 3; ++v) {
            const auto& ensemble = teachers->ensemble.at(vocabularies[v]).data;
            const auto a = topK(student, v * 50, 5), b = topK(ensemble, 0, 5);
            const auto shared = std::count_if(a.begin(), a.end(), [&](size_t t) { return std::find(b.begin(), b.end(), t) != b.end(); });
            const auto& names = card->vocabularies[v].tags;
            std::string listed = "student:";
            for (size_t t : a) listed += " " + names[t];
            listed += "; ensemble:";
            for (size_t t : b) listed += " " + names[t];
            // Printed as a record of what the bundled model says about each clip.
            std::printf("%s %s: %ld of 5 shared (%s)\n", clip, vocabularies[v], long(shared), listed.c_str());
            totalShared += shared;
            EXPECT_GE(shared, 1) << clip << " " << vocabularies[v] << " " << listed;
        }
    }
    // Two random top-5 lists of 50 tags share 0.5 tags on average: 4.5 over these 9 lists.
    EXPECT_GE(totalShared, 18) << "top-5 tags shared with the ensemble over 3 clips x 3 vocabularies";
}
