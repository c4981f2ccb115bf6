// SPDX-License-Identifier: GPL-3.0-or-later
// Teacher cache (one real upstream FCN on a shared CC-BY clip), corpus lists, evaluation metrics.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "core/model/training/corpus.h"
#include "core/model/training/evaluate.h"
#include "core/model/training/teacher_cache.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using namespace tagscope::model::training;

namespace {

constexpr const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg"; // 61 s -> two 29 s windows

TeacherSpec fcn(const std::string& dataset) {
    return {dataset + "_fcn", "fcn", dataset, test::sharedPath("models/upstream/" + dataset + "_fcn.pth")};
}

} // namespace

TEST(TeacherCache, WindowsAreEvenlySpreadInsideTheTrack) {
    EXPECT_TRUE(windowStarts(20.0, 4).empty());
    ASSERT_EQ(windowStarts(40.0, 4).size(), 1u);
    EXPECT_NEAR(windowStarts(40.0, 4)[0], 5.5, 1e-9);
    const auto starts = windowStarts(600.0, 4);
    ASSERT_EQ(starts.size(), 4u);
    for (size_t i = 1; i < starts.size(); ++i) EXPECT_NEAR(starts[i] - starts[i - 1], 150.0, 1e-9);
    EXPECT_LE(starts.back() + 29.0, 600.0);
    // 0 = all the audio: every window that fits, none overlapping.
    const auto all = windowStarts(600.0, 0);
    ASSERT_EQ(all.size(), 20u);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i] - all[i - 1], 29.0 - 1e-9);
    EXPECT_GE(all.front(), 0.0);
    EXPECT_LE(all.back() + 29.0, 600.0);
    EXPECT_EQ(windowStarts(40.0, 0).size(), 1u);
    EXPECT_TRUE(windowStarts(600.0, -1).empty());
}

TEST(TeacherCache, AnEntryWithFewerWindowsThanAskedIsRecomputedOneWithMoreIsUsed) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    const auto dir = test::scratchDir("teacher_cache_windows");
    const auto clip = test::sharedPath(kClip);
    bool computed = false;
    auto one = TeacherCache::open({dir, 1, 1}, {fcn("mtat")});
    ASSERT_TRUE(one) << one.error().message;
    auto first = (*one)->ensure(clip, 61.0, &computed);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(computed);
    EXPECT_EQ(first->windowStartSeconds.size(), 1u);

    auto all = TeacherCache::open({dir, 0, 1}, {fcn("mtat")});
    ASSERT_TRUE(all);
    auto second = (*all)->ensure(clip, 61.0, &computed);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_TRUE(computed) << "one cached window does not satisfy 'all windows'";
    EXPECT_EQ(second->windowStartSeconds.size(), 2u);

    auto third = (*one)->ensure(clip, 61.0, &computed);
    ASSERT_TRUE(third);
    EXPECT_FALSE(computed);
    EXPECT_EQ(third->windowStartSeconds.size(), 2u);
}

TEST(TeacherCache, MissComputesOnceThenHitsWithoutTheTeachers) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    const auto dir = test::scratchDir("teacher_cache");
    auto cache = TeacherCache::open({dir, 2, 1}, {fcn("mtat")});
    ASSERT_TRUE(cache) << cache.error().message;
    const auto clip = test::sharedPath(kClip);

    auto missing = (*cache)->lookup(clip);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, Error::Kind::NotFound);

    bool computed = false;
    auto first = (*cache)->ensure(clip, 61.0, &computed);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(computed);
    ASSERT_EQ(first->windowStartSeconds.size(), 2u);
    EXPECT_EQ(first->mel.shape, (std::vector<int64_t>{2, 96, kWindowFrames}));
    const auto& teacher = first->teachers.at("mtat_fcn");
    ASSERT_EQ(teacher.shape, (std::vector<int64_t>{2, 50}));
    for (float p : teacher.data) EXPECT_TRUE(p >= 0.0f && p <= 1.0f);
    // One teacher: the ensemble is that teacher.
    EXPECT_EQ(first->ensemble.at("mtat_top50").data, teacher.data);
    const double audioSeconds = (*cache)->teacherAudioSeconds();
    EXPECT_NEAR(audioSeconds, 58.0, 0.01);

    auto second = (*cache)->ensure(clip, 61.0, &computed);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(computed);
    EXPECT_EQ((*cache)->teacherAudioSeconds(), audioSeconds);
    EXPECT_EQ(second->mel.data, first->mel.data);
    EXPECT_EQ(second->teachers.at("mtat_fcn").data, teacher.data);
    EXPECT_EQ(second->audioSha256, first->audioSha256);

    // The same audio under a second name is one track; an uncached file is counted as missing.
    std::filesystem::copy_file(clip, dir / "same_audio.ogg");
    size_t notCached = 0;
    auto windows =
        collectWindows(**cache, {clip, dir / "same_audio.ogg", dir / "not_cached.ogg"}, {"mtat_top50"}, &notCached);
    ASSERT_TRUE(windows) << windows.error().message;
    EXPECT_EQ(notCached, 1u);
    EXPECT_EQ(windows->mel.shape[0], 2);
    EXPECT_EQ(windows->targets.shape, (std::vector<int64_t>{2, 50}));
}

TEST(TeacherCache, EntriesOfOtherTeachersAreNotUsed) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED("models/upstream/msd_fcn.pth");
    const auto dir = test::scratchDir("teacher_cache_keys");
    auto a = TeacherCache::open({dir, 1, 1}, {fcn("mtat")});
    auto b = TeacherCache::open({dir, 1, 1}, {fcn("msd")});
    ASSERT_TRUE(a && b);
    const std::string sha(64, 'a');
    EXPECT_NE((*a)->entryPath(sha), (*b)->entryPath(sha));
    EXPECT_NE((*a)->entryPath(sha).filename().string().find(sha), std::string::npos);
    // A file written for other teachers (or anything else) at this path is refused.
    {
        std::ofstream junk((*a)->entryPath(sha), std::ios::binary);
        junk << "junk";
    }
    EXPECT_FALSE((*a)->read((*a)->entryPath(sha)));
}

TEST(TeacherCache, MissingCheckpointOrUnknownArchitectureIsAnError) {
    const auto dir = test::scratchDir("teacher_cache_bad");
    auto r = TeacherCache::open({dir, 1, 1}, {{"x", "fcn", "mtat", dir / "absent.pth"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::NotFound);
    EXPECT_NE(r.error().message.find("absent.pth"), std::string::npos);
    EXPECT_FALSE(TeacherCache::open({dir, 1, 1}, {}));
}

TEST(TeacherCache, UpstreamTeachersAreTheEightEnsembleMembers) {
    const auto t = upstreamTeachers("/models");
    ASSERT_EQ(t.size(), 8u);
    EXPECT_EQ(teacherVocabularies(t), (std::vector<std::string>{"mtat_top50", "msd_top50", "jamendo_top50"}));
    EXPECT_EQ(t[3].id, "msd_fcn");
    EXPECT_EQ(t[3].checkpoint, std::filesystem::path("/models/msd_fcn.pth"));
}

TEST(CorpusList, RoundTripsAndInterleavesPackages) {
    const auto dir = test::scratchDir("corpus_list");
    std::vector<CorpusEntry> entries{{"/a1.ogg", "a", 31.5, "train"}, {"/a2.ogg", "a", 40, "train"},
                                     {"/b1.ogg", "b", 50, "train"},   {"/c1.ogg", "c", 60, "test"}};
    ASSERT_TRUE(writeCorpusList(dir / "files.tsv", entries));
    auto back = readCorpusList(dir / "files.tsv");
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->size(), 4u);
    EXPECT_DOUBLE_EQ((*back)[0].durationSeconds, 31.5);
    const auto train = selectSplit(*back, "train");
    ASSERT_EQ(train.size(), 3u);
    EXPECT_EQ(train[0].package, "a");
    EXPECT_EQ(train[1].package, "b");
    EXPECT_EQ(train[2].package, "a");
    {
        std::ofstream bad(dir / "bad.tsv");
        bad << "/x.ogg\tpkg\tnot-a-number\ttrain\n";
    }
    auto r = readCorpusList(dir / "bad.tsv");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not-a-number"), std::string::npos);
    EXPECT_FALSE(readCorpusList(dir / "absent.tsv"));
}

TEST(EvaluationMetrics, RocAucAveragePrecisionAndSpearmanOnHandWorkedCases) {
    // Hand-worked: positives at scores 0.35 and 0.8; of the 4 positive/negative pairs, 3 are
    // ordered correctly -> AUC 0.75. Ranking 0.8(+) 0.4(-) 0.35(+) 0.1(-): AP = (1/1 + 2/3) / 2.
    const std::vector<float> s{0.1f, 0.4f, 0.35f, 0.8f};
    const std::vector<int> l{0, 0, 1, 1};
    EXPECT_NEAR(rocAuc(s, l), 0.75, 1e-12);
    EXPECT_NEAR(averagePrecision(s, l), (1.0 + 2.0 / 3.0) / 2.0, 1e-12);
    EXPECT_TRUE(std::isnan(rocAuc(s, {1, 1, 1, 1})));
    EXPECT_NEAR(rocAuc({0.5f, 0.5f}, {0, 1}), 0.5, 1e-12);
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0, 1e-12);
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
    EXPECT_EQ(spearman({1, 1, 1}, {1, 2, 3}), 0.0);
}

TEST(EvaluationMetrics, ReferenceAgreesPerfectlyWithItselfAndNotWithItsReverse) {
    ScoreMatrix ref{6, 8, {}};
    for (size_t t = 0; t < 6; ++t)
        for (size_t k = 0; k < 8; ++k) ref.values.push_back(float((t * 3 + k * 5) % 8) / 8.0f);
    const auto self = compareToReference(ref, ref, 2);
    EXPECT_NEAR(self.rocAuc, 1.0, 1e-12);
    EXPECT_NEAR(self.prAuc, 1.0, 1e-12);
    EXPECT_NEAR(self.spearman, 1.0, 1e-12);
    EXPECT_GT(self.tagsScored, 0u);
    // Per tag: every scored tag is perfect, the others (no positives or no negatives) are NaN.
    ASSERT_EQ(self.tagRocAuc.size(), 8u);
    size_t scored = 0;
    for (double roc : self.tagRocAuc) {
        if (!std::isfinite(roc)) continue;
        ++scored;
        EXPECT_NEAR(roc, 1.0, 1e-12);
    }
    EXPECT_EQ(scored, self.tagsScored);
    // Every track gives its top-2 tags a positive; a tag is scored when some but not all tracks have it.
    ASSERT_EQ(self.tagPositives.size(), 8u);
    size_t positives = 0;
    for (size_t k = 0; k < 8; ++k) {
        positives += self.tagPositives[k];
        EXPECT_EQ(std::isfinite(self.tagRocAuc[k]), self.tagPositives[k] > 0 && self.tagPositives[k] < 6) << k;
    }
    EXPECT_EQ(positives, 6u * 2u);
    ScoreMatrix reversed = ref;
    for (auto& v : reversed.values) v = 1.0f - v;
    const auto rev = compareToReference(reversed, ref, 2);
    EXPECT_NEAR(rev.rocAuc, 0.0, 1e-12);
    for (size_t k = 0; k < 8; ++k) {
        if (std::isfinite(rev.tagRocAuc[k])) {
            EXPECT_NEAR(rev.tagRocAuc[k], 0.0, 1e-12) << k;
        }
    }
    EXPECT_NEAR(rev.spearman, -1.0, 1e-12);
}

TEST(EvaluationMetrics, BootstrapGapBracketsTheGapAndIsZeroBetweenEqualModels) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::normal_distribution<float> noise(0.0f, 0.3f);
    ScoreMatrix ref{40, 10, {}}, noisy{40, 10, {}};
    for (size_t i = 0; i < 400; ++i) ref.values.push_back(u(rng));
    for (float v : ref.values) noisy.values.push_back(v + noise(rng));
    // A rival equal to the reference (ROC-AUC 1) against a noisy model: a gap > 0, the interval
    // around it, and about half the resamples at or below it.
    const auto e = bootstrapGap(noisy, ref, ref, 0.0, 400, 5);
    EXPECT_GT(e.gap, 0.05);
    EXPECT_EQ(e.samples, 400u);
    EXPECT_LT(e.low, e.gap);
    EXPECT_GT(e.high, e.gap);
    EXPECT_EQ(e.shareAtMost, 0.0); // the noisy model never ties the reference
    const auto atGap = bootstrapGap(noisy, ref, ref, e.gap, 400, 5);
    EXPECT_GT(atGap.shareAtMost, 0.2);
    EXPECT_LT(atGap.shareAtMost, 0.8);
    // Same seed, same draw.
    const auto again = bootstrapGap(noisy, ref, ref, 0.0, 400, 5);
    EXPECT_EQ(again.low, e.low);
    EXPECT_EQ(again.high, e.high);
    // Equal models: no gap on any resample.
    const auto none = bootstrapGap(noisy, noisy, ref, 0.0, 100, 5);
    EXPECT_EQ(none.gap, 0.0);
    EXPECT_EQ(none.low, 0.0);
    EXPECT_EQ(none.high, 0.0);
    EXPECT_EQ(none.shareAtMost, 1.0);
}

TEST(TeacherCache, MixturesArePlannedAcrossPackagesLabelledByTheTeachersAndCached) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    const auto clip = test::sharedPath(kClip);
    // Plans: deterministic per seed, never one package with itself when others exist.
    std::vector<MixtureSource> sources{{"a.ogg", "p1", {0.0, 29.0}}, {"b.ogg", "p1", {0.0}}, {"c.ogg", "p2", {5.0}},
                                       {"empty.ogg", "p3", {}}};
    const auto plan = planMixtures(sources, 40, 3);
    ASSERT_EQ(plan.size(), 40u);
    for (const auto& m : plan) {
        EXPECT_TRUE((m.first == "c.ogg") != (m.second == "c.ogg")) << m.first << " + " << m.second;
        EXPECT_LE(m.secondGainDb, 0.0);
        EXPECT_GE(m.secondGainDb, -6.0);
    }
    const auto again = planMixtures(sources, 40, 3);
    for (size_t i = 0; i < plan.size(); ++i) EXPECT_EQ(plan[i].secondGainDb, again[i].secondGainDb);
    EXPECT_TRUE(planMixtures({sources[0]}, 5, 1).empty());

    const auto dir = test::scratchDir("teacher_cache_mixtures");
    const auto list = dir / "plan.tsv";
    ASSERT_TRUE(writeMixtureList(list, plan));
    auto read = readMixtureList(list);
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(read->size(), plan.size());
    EXPECT_EQ((*read)[7].second, plan[7].second);
    EXPECT_NEAR((*read)[7].secondGainDb, plan[7].secondGainDb, 1e-3);
    {
        std::ofstream bad(dir / "bad.tsv");
        bad << "a.ogg\t0\tb.ogg\n";
    }
    auto refused = readMixtureList(dir / "bad.tsv");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("line 1"), std::string::npos) << refused.error().message;

    // A mixture of the clip's two windows: labelled once, then a hit; its mel is louder than
    // either window alone; a different gain is a different entry.
    auto cache = TeacherCache::open({dir, 2, 1}, {fcn("mtat")});
    ASSERT_TRUE(cache);
    const MixtureSpec mix{clip, 0.0, clip, 30.0, -3.0};
    auto absent = (*cache)->lookupMixture(mix);
    ASSERT_FALSE(absent);
    EXPECT_EQ(absent.error().kind, Error::Kind::NotFound);
    bool computed = false;
    auto mixed = (*cache)->ensureMixture(mix, &computed);
    ASSERT_TRUE(mixed) << mixed.error().message;
    EXPECT_TRUE(computed);
    EXPECT_EQ(mixed->mel.shape, (std::vector<int64_t>{1, 96, kWindowFrames}));
    EXPECT_EQ(mixed->ensemble.at("mtat_top50").shape, (std::vector<int64_t>{1, 50}));
    auto hit = (*cache)->ensureMixture(mix, &computed);
    ASSERT_TRUE(hit);
    EXPECT_FALSE(computed);
    EXPECT_EQ(hit->ensemble.at("mtat_top50").data, mixed->ensemble.at("mtat_top50").data);
    auto alone = (*cache)->ensure(clip, 61.0, &computed);
    ASSERT_TRUE(alone);
    double mixEnergy = 0, aloneEnergy = 0;
    for (size_t i = 0; i < mixed->mel.data.size(); ++i) {
        mixEnergy += std::pow(10.0, mixed->mel.data[i] / 10.0);
        aloneEnergy += std::pow(10.0, alone->mel.data[i] / 10.0);
    }
    EXPECT_GT(mixEnergy, 1.2 * aloneEnergy);
    EXPECT_FALSE((*cache)->lookupMixture({clip, 0.0, clip, 30.0, -4.0}));
    size_t missing = 0;
    auto windows = collectMixtureWindows(**cache, {mix, {clip, 0.0, clip, 30.0, -4.0}}, {"mtat_top50"}, &missing);
    ASSERT_TRUE(windows) << windows.error().message;
    EXPECT_EQ(missing, 1u);
    EXPECT_EQ(windows->mel.shape[0], 1);
    EXPECT_EQ(windows->targets.data, mixed->ensemble.at("mtat_top50").data);
    // A missing file is an error naming it, not a crash.
    auto gone = (*cache)->ensureMixture({dir / "gone.ogg", 0.0, clip, 0.0, 0.0});
    ASSERT_FALSE(gone);
    EXPECT_NE(gone.error().message.find("gone.ogg"), std::string::npos) << gone.error().message;
}
