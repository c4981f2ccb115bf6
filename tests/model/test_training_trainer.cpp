// SPDX-License-Identifier: GPL-3.0-or-later
// Trainer: a tiny synthetic distillation task, determinism, checkpoint/resume, failure paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

#include "core/model/training/trainer.h"
#include "tests/model/training_test_support.h"
#include "tests/support/test_paths.h"

using namespace tagscope;
using namespace tagscope::model::training;

namespace {

constexpr int64_t kMels = test::kSyntheticMels, kFrames = test::kSyntheticFrames, kTags = test::kSyntheticTags;

WindowSet synthetic(int64_t windows, unsigned seed) { return test::syntheticWindows(windows, seed); }

TrainerOptions tinyOptions() {
    TrainerOptions o;
    o.hyper = {{"conv_ndim", 4},        {"n_mels", kMels},         {"attention_ndim", 16},
               {"attention_nheads", 2}, {"attention_nlayers", 1},  {"attention_max_len", 64},
               {"dropout", 0.1}};
    o.cropFrames = 32;
    o.batchSize = 8;
    o.totalSteps = 200;
    o.warmupSteps = 10;
    o.learningRate = 3e-3;
    o.gainDb = 1.0;
    o.maxFrequencyMask = 2;
    o.maxTimeMask = 4;
    o.seed = 7;
    o.threads = 1;
    return o;
}

std::unique_ptr<Trainer> makeTrainer(const TrainerOptions& o = tinyOptions()) {
    auto t = Trainer::create(o, synthetic(48, 1), synthetic(16, 2));
    EXPECT_TRUE(t) << (t ? "" : t.error().message);
    return t ? std::move(*t) : nullptr;
}

void expectSameWeights(const TensorMap& a, const TensorMap& b) {
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [key, tensor] : a) {
        ASSERT_TRUE(b.count(key)) << key;
        EXPECT_EQ(tensor.data, b.at(key).data) << key;
    }
}

} // namespace

TEST(TrainingSchedule, WarmsUpThenDecaysToZero) {
    EXPECT_DOUBLE_EQ(scheduledLearningRate(0, 10, 100, 1.0), 0.1);
    EXPECT_DOUBLE_EQ(scheduledLearningRate(9, 10, 100, 1.0), 1.0);
    EXPECT_DOUBLE_EQ(scheduledLearningRate(10, 10, 100, 1.0), 1.0);
    EXPECT_NEAR(scheduledLearningRate(55, 10, 100, 1.0), 0.5, 1e-12);
    EXPECT_NEAR(scheduledLearningRate(100, 10, 100, 1.0), 0.0, 1e-12);
    for (int64_t s = 11; s <= 100; ++s)
        EXPECT_LT(scheduledLearningRate(s, 10, 100, 1.0), scheduledLearningRate(s - 1, 10, 100, 1.0));
}

TEST(Trainer, LearnsASyntheticTaskBelowTheMeanBaseline) {
    auto t = makeTrainer();
    ASSERT_TRUE(t);
    ASSERT_TRUE(t->validate());
    const double before = t->status().validationLoss;
    auto status = t->run(200, 0.0, 0, 0, {}, {});
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(status->step, 200);
    EXPECT_LT(status->validationLoss, before);
    // The mean target is 0.5 on every tag: a student that ignores its input cannot beat it.
    EXPECT_LT(status->validationLoss, status->baselineLoss - 0.05);
}

TEST(Trainer, LogitWeightAddsALogitErrorTermThatTrainsAndIsStoredWithTheRun) {
    const auto dir = test::scratchDir("trainer_logit");
    auto plain = makeTrainer();
    auto o = tinyOptions();
    o.logitWeight = 1.0;
    auto logit = makeTrainer(o);
    ASSERT_TRUE(plain && logit);
    ASSERT_TRUE(plain->validate() && logit->validate());
    // Same initial weights (same seed): the extra term only adds. The mean predictor's logit
    // error on 0.1/0.9 targets is logit(0.9)^2 = 4.83.
    EXPECT_NEAR(logit->status().baselineLoss - plain->status().baselineLoss, 4.83, 0.2);
    EXPECT_GT(logit->status().validationLoss, plain->status().validationLoss + 1.0);
    auto status = logit->run(200, 0.0, 0, 0, dir / "ckpt.safetensors", {});
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_LT(status->validationLoss, 0.5 * status->baselineLoss);
    // A run without the term cannot resume it.
    auto refused = plain->loadCheckpoint(dir / "ckpt.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::Mismatch);
    auto again = makeTrainer(o);
    ASSERT_TRUE(again && again->loadCheckpoint(dir / "ckpt.safetensors"));
}

TEST(Trainer, RankWeightAddsATagWiseCorrelationTermThatTrainsAndIsStoredWithTheRun) {
    const auto dir = test::scratchDir("trainer_rank");
    auto plain = makeTrainer();
    auto o = tinyOptions();
    o.rankWeight = 1.0;
    auto ranked = makeTrainer(o);
    ASSERT_TRUE(plain && ranked);
    ASSERT_TRUE(plain->validate() && ranked->validate());
    // The mean predictor is constant across windows: no correlation on any tag, so the term
    // adds exactly its weight to the baseline.
    EXPECT_NEAR(ranked->status().baselineLoss - plain->status().baselineLoss, 1.0, 1e-3);
    const double before = ranked->status().validationLoss - plain->status().validationLoss;
    EXPECT_GT(before, 0.0);
    auto status = ranked->run(200, 0.0, 0, 0, dir / "ckpt.safetensors", {});
    ASSERT_TRUE(status) << status.error().message;
    ASSERT_TRUE(plain->run(200, 0.0, 0, 0, {}, {}));
    // Trained, the student orders the validation windows on each tag as the teachers do.
    const double after = status->validationLoss - plain->status().validationLoss;
    EXPECT_LT(after, 0.5 * before) << before << " -> " << after;
    EXPECT_LT(status->validationLoss, 0.6 * status->baselineLoss);
    // A run without the term cannot resume it.
    auto refused = plain->loadCheckpoint(dir / "ckpt.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::Mismatch);
}

TEST(Trainer, ListWeightAddsAWindowWiseTermThatTrainsAndIsStoredWithTheRun) {
    static_assert(kTags % 2 == 0, "two vocabularies of kTags / 2 tags");
    const auto dir = test::scratchDir("trainer_list");
    auto plain = makeTrainer();
    auto o = tinyOptions();
    o.listWeight = 1.0;
    o.vocabularySize = kTags / 2;
    auto listed = makeTrainer(o);
    ASSERT_TRUE(plain && listed);
    ASSERT_TRUE(plain->validate() && listed->validate());
    // The same student with and without the term: the term is a KL divergence, so it only adds.
    const double before = listed->status().validationLoss - plain->status().validationLoss;
    EXPECT_GT(before, 1e-3);
    EXPECT_GT(listed->status().baselineLoss, plain->status().baselineLoss);
    auto status = listed->run(200, 0.0, 0, 0, dir / "ckpt.safetensors", {});
    ASSERT_TRUE(status) << status.error().message;
    ASSERT_TRUE(plain->run(200, 0.0, 0, 0, {}, {}));
    // Trained, the student orders each window's tags within each vocabulary as the teachers do.
    const double after = status->validationLoss - plain->status().validationLoss;
    EXPECT_LT(after, 0.5 * before) << before << " -> " << after;
    // The run records the term and its vocabulary size; a run without the term cannot resume it.
    EXPECT_EQ(trainerOptionsJson(o).at("list_weight").get<double>(), 1.0);
    EXPECT_EQ(trainerOptionsJson(o).at("vocabulary_size").get<int64_t>(), kTags / 2);
    EXPECT_FALSE(trainerOptionsJson(tinyOptions()).contains("list_weight"));
    auto refused = plain->loadCheckpoint(dir / "ckpt.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::Mismatch);
    // Tags that do not split into whole vocabularies, or a negative weight, are refused.
    for (auto [weight, size] : {std::pair{1.0, kTags + 1}, std::pair{-1.0, kTags / 2}, std::pair{1.0, int64_t{0}}}) {
        auto bad = o;
        bad.listWeight = weight;
        bad.vocabularySize = size;
        auto t = Trainer::create(bad, synthetic(8, 1), synthetic(4, 2));
        ASSERT_FALSE(t) << weight << " " << size;
        EXPECT_NE(t.error().message.find("list term"), std::string::npos) << t.error().message;
    }
}

TEST(Trainer, TagWeightsWeighEachTagsTermsOrAreRefused) {
    auto o = tinyOptions();
    o.logitWeight = 1.0;
    o.rankWeight = 1.0;
    auto plain = makeTrainer(o);
    ASSERT_TRUE(plain && plain->validate());
    // All weight on one tag: the validation loss is that tag's share of every term (BCE, logit
    // error, ranking). Same seed, same starting student, so the unweighted loss is their mean.
    std::vector<double> lossOfTag;
    for (int64_t k = 0; k < kTags; ++k) {
        auto one = o;
        one.tagWeights.assign(size_t(kTags), 0.0);
        one.tagWeights[size_t(k)] = 0.25; // any scale: weights are normalised to mean 1
        auto t = makeTrainer(one);
        ASSERT_TRUE(t && t->validate());
        lossOfTag.push_back(t->status().validationLoss);
    }
    double sum = 0.0;
    for (double l : lossOfTag) sum += l;
    EXPECT_NEAR(sum / double(kTags), plain->status().validationLoss, 1e-4 * plain->status().validationLoss);
    const auto [lo, hi] = std::minmax_element(lossOfTag.begin(), lossOfTag.end());
    EXPECT_GT(*hi - *lo, 0.01) << "every tag weighed the same";
    // Weights that do not fit the tags are refused with the reason.
    for (std::vector<double> bad : {std::vector<double>(size_t(kTags) + 1, 1.0), std::vector<double>(size_t(kTags), 0.0),
                                    std::vector<double>{-1.0, 1.0, 1.0, 1.0}}) {
        bad.resize(std::max(bad.size(), size_t(kTags)), 1.0);
        auto w = o;
        w.tagWeights = bad;
        auto refused = Trainer::create(w, synthetic(8, 1), synthetic(4, 2));
        ASSERT_FALSE(refused);
        EXPECT_NE(refused.error().message.find("tag weights"), std::string::npos) << refused.error().message;
    }
    // The run records the weights by vocabulary (for --resume), and only when there are any.
    auto named = o;
    named.vocabularyWeights = {{"msd_top50", 1.5}};
    EXPECT_EQ(trainerOptionsJson(named).at("vocabulary_weights").at("msd_top50").get<double>(), 1.5);
    EXPECT_FALSE(trainerOptionsJson(o).contains("vocabulary_weights"));
}

TEST(Trainer, ShortCropStepsTrainAtTheirOwnLengthAndAreStoredWithTheRun) {
    const auto dir = test::scratchDir("trainer_short_crop");
    auto o = tinyOptions();
    o.shortCropFrames = 8;
    auto mixed = makeTrainer(o);
    ASSERT_TRUE(mixed);
    ASSERT_TRUE(mixed->run(6, 0.0, 0, 0, dir / "ckpt.safetensors", {}));
    // Not the same training as the plain run: the odd steps saw other crops.
    auto plain = makeTrainer();
    ASSERT_TRUE(plain && plain->run(6, 0.0, 0, 0, {}, {}));
    EXPECT_NE(mixed->studentWeights().at("mlp_head.1.weight").data, plain->studentWeights().at("mlp_head.1.weight").data);
    // The student still runs at both lengths.
    ASSERT_TRUE(mixed->predict(synthetic(2, 3).mel));
    // A run without it cannot resume it; a short crop longer than the windows is refused.
    auto other = makeTrainer();
    ASSERT_TRUE(other);
    auto refused = other->loadCheckpoint(dir / "ckpt.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::Mismatch);
    auto tooLong = tinyOptions();
    tooLong.shortCropFrames = kFrames + 1;
    auto bad = Trainer::create(tooLong, synthetic(48, 1), synthetic(16, 2));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("short crop"), std::string::npos) << bad.error().message;
}

TEST(WindowSampling, WindowsWithRareTopTagsAreDrawnMoreOftenAndAllAlikeAtPowerZero) {
    // Two vocabularies of 10 tags. In the first, windows 0-2 share the top-5 {0..4} and window 3
    // alone has {5..9}; in the second, every window has the same top-5. Column 20 stands for a
    // coarse output and is ignored.
    HostTensor targets{{4, 21}, std::vector<float>(4 * 21, 0.0f)};
    for (int64_t w = 0; w < 4; ++w) {
        for (int64_t k = 0; k < 5; ++k) {
            targets.data[size_t(w * 21 + (w < 3 ? k : 5 + k))] = 0.9f - 0.1f * float(k);
            targets.data[size_t(w * 21 + 10 + k)] = 0.5f;
        }
        targets.data[size_t(w * 21 + 20)] = w == 0 ? 1.0f : 0.0f;
    }
    auto uniform = windowSamplingWeights(targets, 20, 10, 0.0);
    ASSERT_TRUE(uniform) << uniform.error().message;
    for (double w : *uniform) EXPECT_DOUBLE_EQ(w, 0.25);
    // Power 1: first vocabulary (4/3 for windows 0-2, 4 for window 3), second 1 for all; the
    // window's weight is the mean over its ten top tags.
    auto inverse = windowSamplingWeights(targets, 20, 10, 1.0);
    ASSERT_TRUE(inverse) << inverse.error().message;
    const double common = (4.0 / 3.0 + 1.0) / 2.0, rare = (4.0 + 1.0) / 2.0, sum = 3 * common + rare;
    for (int w = 0; w < 3; ++w) EXPECT_NEAR((*inverse)[size_t(w)], common / sum, 1e-12);
    EXPECT_NEAR((*inverse)[3], rare / sum, 1e-12);
    // Square root: between the two.
    auto root = windowSamplingWeights(targets, 20, 10, 0.5);
    ASSERT_TRUE(root);
    EXPECT_GT((*root)[3], 0.25);
    EXPECT_LT((*root)[3], (*inverse)[3]);
    // Shapes that do not fit and negative powers are refused.
    EXPECT_FALSE(windowSamplingWeights(targets, 20, 7, 1.0));
    EXPECT_FALSE(windowSamplingWeights(targets, 30, 10, 1.0));
    EXPECT_FALSE(windowSamplingWeights(targets, 20, 10, -1.0));
    EXPECT_FALSE(windowSamplingWeights(HostTensor{{0, 20}, {}}, 20, 10, 1.0));
}

TEST(Trainer, BalancedSamplingDrawsOtherBatchesAndIsStoredWithTheRun) {
    const auto dir = test::scratchDir("trainer_balanced");
    // Ten tags with random levels, so the windows' top-5 differ.
    auto withTenTags = [](int64_t windows, unsigned seed) {
        auto set = synthetic(windows, seed);
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> level(0.0f, 1.0f);
        set.targets = HostTensor{{windows, 10}, {}};
        for (int64_t i = 0; i < windows * 10; ++i) set.targets.data.push_back(level(rng));
        return set;
    };
    auto o = tinyOptions();
    o.vocabularySize = 10;
    auto plainTrainer = Trainer::create(o, withTenTags(48, 1), withTenTags(16, 2));
    ASSERT_TRUE(plainTrainer) << plainTrainer.error().message;
    o.balancePower = 1.0;
    auto balanced = Trainer::create(o, withTenTags(48, 1), withTenTags(16, 2));
    ASSERT_TRUE(balanced) << balanced.error().message;
    ASSERT_TRUE((*balanced)->run(6, 0.0, 0, 0, dir / "ckpt.safetensors", {}));
    ASSERT_TRUE((*plainTrainer)->run(6, 0.0, 0, 0, {}, {}));
    EXPECT_NE((*balanced)->studentWeights().at("mlp_head.1.weight").data,
              (*plainTrainer)->studentWeights().at("mlp_head.1.weight").data);
    const auto recorded = trainerOptionsJson(o);
    EXPECT_EQ(recorded.at("balance_power"), 1.0);
    EXPECT_EQ(recorded.at("vocabulary_size"), 10);
    // A run that samples uniformly cannot resume it; tags that are not whole vocabularies are refused.
    auto uniform = Trainer::create(tinyOptions(), synthetic(48, 1), synthetic(16, 2));
    ASSERT_TRUE(uniform);
    auto refused = (*uniform)->loadCheckpoint(dir / "ckpt.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::Mismatch);
    o.vocabularySize = 3;
    auto bad = Trainer::create(o, withTenTags(48, 1), withTenTags(16, 2));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("vocabularies of 3"), std::string::npos) << bad.error().message;
}

TEST(Trainer, InitialisesANewRunFromAnotherStudentOrNamesTheMismatch) {
    auto source = makeTrainer();
    ASSERT_TRUE(source && source->run(5, 0.0, 0, 0, {}, {}));
    auto other = tinyOptions();
    other.seed = 9;
    other.logitWeight = 0.5;
    auto t = makeTrainer(other);
    ASSERT_TRUE(t);
    auto ok = t->initialiseStudent(source->studentWeights(), "source.safetensors");
    ASSERT_TRUE(ok) << ok.error().message;
    expectSameWeights(source->studentWeights(), t->studentWeights());
    ASSERT_TRUE(t->run(3, 0.0, 0, 0, {}, {}));
    // After the first step the run has its own history: no re-initialising.
    EXPECT_FALSE(t->initialiseStudent(source->studentWeights(), "source.safetensors"));

    // A narrower conv front end cannot take it (only more layers, a wider token or more channels can).
    auto otherConv = tinyOptions();
    otherConv.hyper["conv_ndim"] = 2;
    auto w = makeTrainer(otherConv);
    ASSERT_TRUE(w);
    auto refused = w->initialiseStudent(source->studentWeights(), "source.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::Mismatch);
    EXPECT_NE(refused.error().message.find("source.safetensors"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("frontend.layer1"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("shrink"), std::string::npos) << refused.error().message;
}

TEST(Trainer, GrowsAWiderConvFrontEndAsTheSameFunctionWhoseCopiesLearnApart) {
    auto source = makeTrainer();
    ASSERT_TRUE(source && source->run(5, 0.0, 0, 0, {}, {}));
    const auto mel = synthetic(4, 13).mel;
    auto expected = source->predict(mel);
    ASSERT_TRUE(expected);
    // Twice the channels (4 -> 8) and a width that is no multiple (4 -> 6, two channels copied).
    for (int64_t channels : {8, 6}) {
        SCOPED_TRACE(channels);
        auto wider = tinyOptions();
        wider.hyper["conv_ndim"] = channels;
        auto grown = makeTrainer(wider);
        ASSERT_TRUE(grown);
        auto report = grown->initialiseStudent(source->studentWeights(), "source.safetensors");
        ASSERT_TRUE(report) << report.error().message;
        EXPECT_EQ(report->convChannelsFrom, 4);
        EXPECT_EQ(report->convChannels, channels);
        EXPECT_EQ(report->widthFactor, 1);
        const auto weights = grown->studentWeights();
        EXPECT_EQ(weights.at("frontend.layer2.conv_1.weight").shape, (std::vector<int64_t>{channels, channels, 3, 3}));
        EXPECT_EQ(weights.at("frontend.fc.weight").shape, (std::vector<int64_t>{16, channels * kMels / 8}));

        auto actual = grown->predict(mel);
        ASSERT_TRUE(actual);
        ASSERT_EQ(expected->data.size(), actual->data.size());
        double worst = 0.0;
        for (size_t i = 0; i < expected->data.size(); ++i)
            worst = std::max(worst, double(std::abs(actual->data[i] - expected->data[i])));
        EXPECT_LT(worst, 1e-5);

        // Channel 4 copies channel 0: the same batch-norm scale at first, told apart by training
        // because the layers after it read the two copies with different shares.
        const auto scale = [](const TensorMap& m) { return m.at("frontend.layer1.bn_1.weight").data; };
        ASSERT_EQ(scale(weights)[0], scale(weights)[4]);
        ASSERT_TRUE(grown->run(5, 0.0, 0, 0, {}, {}));
        const auto trained = scale(grown->studentWeights());
        EXPECT_NE(trained[0], trained[4]);
    }
}

TEST(Trainer, GrowsADeeperStudentFromAShallowerOneAsTheSameFunction) {
    auto source = makeTrainer();
    ASSERT_TRUE(source && source->run(5, 0.0, 0, 0, {}, {}));
    auto deeper = tinyOptions();
    deeper.hyper["attention_nlayers"] = 3;
    auto grown = makeTrainer(deeper);
    ASSERT_TRUE(grown);
    const auto before = grown->studentWeights();
    auto added = grown->initialiseStudent(source->studentWeights(), "source.safetensors");
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ(added->addedLayers, 2);
    EXPECT_EQ(added->widthFactor, 1);

    // The source's tensors are taken over; the added layers keep their fresh weights except for
    // the two residual outputs, which start at zero so the layers pass their input through.
    const auto after = grown->studentWeights();
    for (const auto& [key, tensor] : source->studentWeights()) EXPECT_EQ(after.at(key).data, tensor.data) << key;
    int zeroed = 0, fresh = 0;
    for (const auto& [key, tensor] : after) {
        if (!key.starts_with("transformer.layers.1.") && !key.starts_with("transformer.layers.2.")) continue;
        const bool residualOut = key.find(".to_out.") != std::string::npos || key.find(".net.3.") != std::string::npos;
        if (residualOut) {
            ++zeroed;
            for (float v : tensor.data) ASSERT_EQ(v, 0.0f) << key;
        } else {
            ++fresh;
            EXPECT_EQ(tensor.data, before.at(key).data) << key;
        }
    }
    EXPECT_EQ(zeroed, 2 * 4); // to_out.0 and net.3, weight and bias, in each of the two layers
    EXPECT_GT(fresh, 0);

    const auto mel = synthetic(4, 11).mel;
    auto expected = source->predict(mel), actual = grown->predict(mel);
    ASSERT_TRUE(expected && actual);
    ASSERT_EQ(expected->data.size(), actual->data.size());
    for (size_t i = 0; i < expected->data.size(); ++i) EXPECT_NEAR(actual->data[i], expected->data[i], 1e-6) << i;

    // The added layers learn: their residual outputs leave zero after a few steps.
    ASSERT_TRUE(grown->run(3, 0.0, 0, 0, {}, {}));
    const auto trained = grown->studentWeights();
    EXPECT_NE(trained.at("transformer.layers.2.0.fn.fn.to_out.0.weight").data,
              after.at("transformer.layers.2.0.fn.fn.to_out.0.weight").data);

    // A shallower student cannot take a deeper one's weights: the layers it lacks are named.
    auto shallow = makeTrainer();
    ASSERT_TRUE(shallow);
    auto refused = shallow->initialiseStudent(trained, "deep.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("deep.safetensors"), std::string::npos) << refused.error().message;

    // A damaged file whose layer key carries no number is refused by name, not thrown on.
    auto damaged = source->studentWeights();
    damaged["transformer.layers.x.0.fn.fn.to_out.0.weight"] = damaged.at("transformer.layers.0.0.fn.fn.to_out.0.weight");
    auto deepAgain = makeTrainer(deeper);
    ASSERT_TRUE(deepAgain);
    auto broken = deepAgain->initialiseStudent(damaged, "damaged.safetensors");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().kind, Error::Kind::Mismatch);
    EXPECT_NE(broken.error().message.find("damaged.safetensors"), std::string::npos) << broken.error().message;
    EXPECT_NE(broken.error().message.find("transformer.layers.x."), std::string::npos) << broken.error().message;
}

TEST(Trainer, GrowsAWiderAndDeeperStudentAsTheSameFunctionOrNamesWhyNot) {
    auto source = makeTrainer();
    ASSERT_TRUE(source && source->run(5, 0.0, 0, 0, {}, {}));
    auto bigger = tinyOptions();
    bigger.hyper["attention_ndim"] = 48; // 3x the width, the same 2 heads
    bigger.hyper["attention_nlayers"] = 2;
    auto grown = makeTrainer(bigger);
    ASSERT_TRUE(grown);
    auto report = grown->initialiseStudent(source->studentWeights(), "source.safetensors");
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->addedLayers, 1);
    EXPECT_EQ(report->widthFactor, 3);
    const auto weights = grown->studentWeights();
    EXPECT_EQ(weights.at("cls_token").shape, (std::vector<int64_t>{48}));
    EXPECT_EQ(weights.at("transformer.layers.0.1.fn.fn.net.0.weight").shape, (std::vector<int64_t>{192, 48}));

    const auto mel = synthetic(4, 12).mel;
    auto expected = source->predict(mel), actual = grown->predict(mel);
    ASSERT_TRUE(expected && actual);
    ASSERT_EQ(expected->data.size(), actual->data.size());
    double worst = 0.0;
    for (size_t i = 0; i < expected->data.size(); ++i)
        worst = std::max(worst, double(std::abs(actual->data[i] - expected->data[i])));
    EXPECT_LT(worst, 1e-5);
    // The copies are not frozen together: dropout tells them apart, so training moves them apart.
    ASSERT_TRUE(grown->run(5, 0.0, 0, 0, {}, {}));
    const auto& qkv = grown->studentWeights().at("transformer.layers.0.0.fn.fn.to_qkv.weight");
    const int64_t cols = qkv.shape[1];
    // Row 0 (head 0, unit 0) and row 8 (head 0, its first copy) started equal.
    EXPECT_NE(std::vector<float>(qkv.data.begin(), qkv.data.begin() + cols),
              std::vector<float>(qkv.data.begin() + 8 * cols, qkv.data.begin() + 9 * cols));

    auto notMultiple = tinyOptions();
    notMultiple.hyper["attention_ndim"] = 24;
    auto odd = makeTrainer(notMultiple);
    ASSERT_TRUE(odd);
    auto refused = odd->initialiseStudent(source->studentWeights(), "source.safetensors");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("source.safetensors"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("multiple"), std::string::npos) << refused.error().message;
}

TEST(Trainer, SameSeedSameWeights) {
    auto a = makeTrainer(), b = makeTrainer();
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->run(12, 0.0, 0, 0, {}, {}));
    ASSERT_TRUE(b->run(12, 0.0, 0, 0, {}, {}));
    expectSameWeights(a->studentWeights(), b->studentWeights());
    auto other = tinyOptions();
    other.seed = 8;
    auto c = makeTrainer(other);
    ASSERT_TRUE(c && c->run(12, 0.0, 0, 0, {}, {}));
    EXPECT_NE(a->studentWeights().begin()->second.data, c->studentWeights().begin()->second.data);
}

TEST(Trainer, ResumeReproducesAnUninterruptedRun) {
    const auto dir = test::scratchDir("trainer_resume");
    auto whole = makeTrainer();
    ASSERT_TRUE(whole && whole->run(20, 0.0, 5, 0, {}, {}));

    auto first = makeTrainer();
    ASSERT_TRUE(first && first->run(9, 0.0, 5, 0, dir / "ckpt.safetensors", {}));
    auto second = makeTrainer();
    ASSERT_TRUE(second);
    auto loaded = second->loadCheckpoint(dir / "ckpt.safetensors");
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(second->status().step, 9);
    ASSERT_TRUE(second->run(20, 0.0, 5, 0, {}, {}));
    expectSameWeights(whole->studentWeights(), second->studentWeights());
}

TEST(Trainer, CheckpointOfOtherOptionsOrDamagedIsRejected) {
    const auto dir = test::scratchDir("trainer_bad_ckpt");
    auto t = makeTrainer();
    ASSERT_TRUE(t && t->run(2, 0.0, 0, 0, dir / "ckpt.safetensors", {}));
    auto other = tinyOptions();
    other.learningRate = 1e-3;
    auto u = makeTrainer(other);
    ASSERT_TRUE(u);
    auto r = u->loadCheckpoint(dir / "ckpt.safetensors");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::Mismatch);
    {
        std::ofstream damaged(dir / "damaged.safetensors", std::ios::binary);
        damaged << "not a checkpoint";
    }
    auto d = t->loadCheckpoint(dir / "damaged.safetensors");
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("damaged.safetensors"), std::string::npos);
    EXPECT_FALSE(t->loadCheckpoint(dir / "missing.safetensors"));
}

TEST(Trainer, RejectsWindowsShorterThanTheCropOrMismatchedTargets) {
    auto o = tinyOptions();
    o.cropFrames = kFrames + 1;
    auto r = Trainer::create(o, synthetic(4, 1), synthetic(4, 2));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("crop"), std::string::npos);
    auto set = synthetic(4, 1);
    set.targets.shape = {3, kTags};
    set.targets.data.resize(3 * kTags);
    EXPECT_FALSE(Trainer::create(tinyOptions(), set, synthetic(4, 2)));
}
