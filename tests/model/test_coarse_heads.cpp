// SPDX-License-Identifier: GPL-3.0-or-later
// Coarse tags learned jointly with the fine ones (Zhong et al. 2023): the Music Tagging
// Transformer's rule-based and attention-based coarse heads, their targets, their training and
// their evaluation, and the configurations they refuse.
#include <gtest/gtest.h>

#include <random>

#include "core/model/nets/music_tagging_transformer.h"
#include "core/model/nets/tagger_net.h"
#include "core/model/torch_shim.h"
#include "core/model/training/evaluate.h"
#include "core/model/training/trainer.h"
#include "tests/model/training_test_support.h"
#include "core/tags/taxonomy.h"

using namespace tagscope;
using namespace tagscope::model;
using namespace tagscope::model::training;

namespace {

constexpr int64_t kMels = test::kSyntheticMels, kFrames = test::kSyntheticFrames, kFine = test::kSyntheticTags;

nlohmann::json tinyHyper(const std::string& head) {
    nlohmann::json h = {{"conv_ndim", 4},        {"n_mels", kMels},        {"attention_ndim", 16},
                        {"attention_nheads", 2}, {"attention_nlayers", 1}, {"attention_max_len", 64},
                        {"dropout", 0.0}};
    if (!head.empty()) {
        h["coarse_head"] = head;
        h["coarse_groups"] = {{0, 1}, {2, 3}, {1}};
    }
    return h;
}

std::shared_ptr<TaggerNet> makeNet(const nlohmann::json& hyper, int tags) {
    auto net = createNet("mtt", hyper, tags);
    EXPECT_TRUE(net) << (net ? "" : net.error().message);
    return net ? *net : nullptr;
}

TEST(CoarseHead, RuleHeadAppendsTheMaxOfEachGroupsFineProbabilities) {
    torch::manual_seed(3);
    auto net = makeNet(tinyHyper("rule"), kFine + 3);
    ASSERT_TRUE(net);
    net->eval();
    torch::NoGradGuard guard;
    auto y = net->forward(torch::randn({5, kMels, kFrames}) * 10.0);
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{5, kFine + 3}));
    auto fine = y.narrow(1, 0, kFine);
    EXPECT_TRUE(torch::allclose(y.select(1, kFine), torch::maximum(fine.select(1, 0), fine.select(1, 1))));
    EXPECT_TRUE(torch::allclose(y.select(1, kFine + 1), torch::maximum(fine.select(1, 2), fine.select(1, 3))));
    EXPECT_TRUE(torch::allclose(y.select(1, kFine + 2), fine.select(1, 1)));
    // No parameters beyond the plain net's: the same weights load into both.
    auto plain = makeNet(tinyHyper(""), kFine);
    ASSERT_TRUE(plain);
    auto ok = loadStateDict(*plain, stateDict(*net), "rule");
    EXPECT_TRUE(ok) << (ok ? "" : ok.error().message);
    plain->eval();
    EXPECT_TRUE(torch::allclose(plain->forward(torch::ones({1, kMels, kFrames})),
                                net->forward(torch::ones({1, kMels, kFrames})).narrow(1, 0, kFine)));
}

TEST(CoarseHead, AttentionHeadHasLearnedQueriesWhoseWeightsOverTheFineTagsSumToOne) {
    torch::manual_seed(4);
    auto net = makeNet(tinyHyper("attention"), kFine + 3);
    ASSERT_TRUE(net);
    auto* mtt = dynamic_cast<MusicTaggingTransformer*>(net.get());
    ASSERT_NE(mtt, nullptr);
    const auto weights = stateDict(*net);
    for (const char* key : {"coarse_head.query", "coarse_head.key.weight", "coarse_head.value.weight", "coarse_head.out",
                            "coarse_head.bias"})
        EXPECT_TRUE(weights.count(key)) << key;
    net->eval();
    torch::NoGradGuard guard;
    auto x = torch::randn({2, kMels, kFrames}) * 10.0;
    auto y = net->forward(x);
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, kFine + 3}));
    EXPECT_TRUE(((y >= 0) & (y <= 1)).all().item<bool>());
    auto relation = mtt->coarseAttention(mtt->encode(x));
    ASSERT_EQ(relation.sizes(), (std::vector<int64_t>{2, 3, kFine}));
    EXPECT_TRUE(torch::allclose(relation.sum(2), torch::ones({2, 3}), 1e-5, 1e-5));
    // A rule head has no learned relation to show.
    auto rule = makeNet(tinyHyper("rule"), kFine + 3);
    auto* ruleMtt = dynamic_cast<MusicTaggingTransformer*>(rule.get());
    ASSERT_NE(ruleMtt, nullptr);
    EXPECT_THROW(ruleMtt->coarseAttention(ruleMtt->encode(x)), c10::Error);
}

TEST(CoarseHead, AttentionScopedToMembersAttendsOnlyOverEachGroupsOwnTags) {
    torch::manual_seed(6);
    auto h = tinyHyper("attention");
    h["coarse_attention_scope"] = "members";
    auto net = makeNet(h, kFine + 3);
    ASSERT_TRUE(net);
    auto* mtt = dynamic_cast<MusicTaggingTransformer*>(net.get());
    ASSERT_NE(mtt, nullptr);
    net->eval();
    torch::NoGradGuard guard;
    auto x = torch::randn({3, kMels, kFrames}) * 10.0;
    auto relation = mtt->coarseAttention(mtt->encode(x)); // 3 x groups {0,1}, {2,3}, {1} x 4 tags
    ASSERT_EQ(relation.sizes(), (std::vector<int64_t>{3, 3, kFine}));
    EXPECT_TRUE(torch::allclose(relation.sum(2), torch::ones({3, 3}), 1e-5, 1e-5));
    const auto outside = torch::tensor({{0, 0, 1, 1}, {1, 1, 0, 0}, {1, 0, 1, 1}}, torch::kBool);
    EXPECT_EQ(relation.masked_select(outside.unsqueeze(0).expand_as(relation)).abs().max().item<float>(), 0.0f);
    EXPECT_TRUE(torch::allclose(relation.select(1, 2).select(1, 1), torch::ones({3})));
    // A fresh head's group logit is the attention-weighted fine logits less their biases: a
    // group of one tag starts out as that tag without its bias.
    auto y = net->forward(x);
    const auto bias = stateDict(*net).at("mlp_head.1.bias");
    const auto fineLogit = torch::logit(y.select(1, 1).to(torch::kDouble)) - double(bias.data[1]);
    EXPECT_TRUE(torch::allclose(torch::logit(y.select(1, kFine + 2).to(torch::kDouble)), fineLogit, 1e-4, 1e-4));
    // The unscoped head of the same seed spreads over every tag.
    torch::manual_seed(6);
    auto spread = makeNet(tinyHyper("attention"), kFine + 3);
    auto* spreadMtt = dynamic_cast<MusicTaggingTransformer*>(spread.get());
    ASSERT_NE(spreadMtt, nullptr);
    spread->eval();
    EXPECT_GT(spreadMtt->coarseAttention(spreadMtt->encode(x)).min().item<float>(), 0.0f);
}

TEST(CoarseHead, BadConfigurationsAreRefusedWithTheReason) {
    auto expectRefused = [](nlohmann::json hyper, int tags, const std::string& words) {
        auto net = createNet("mtt", hyper, tags);
        ASSERT_FALSE(net) << hyper.dump();
        EXPECT_NE(net.error().message.find(words), std::string::npos) << net.error().message;
    };
    auto h = tinyHyper("rule");
    h["n_seq_cls"] = kFine;
    expectRefused(h, kFine, "plus 3 coarse groups differs from the 4 tags"); // groups are outputs too
    h.erase("n_seq_cls");
    h["coarse_groups"] = {{0, 9}};
    expectRefused(h, kFine + 1, "member 9");
    h["coarse_head"] = "mean";
    expectRefused(h, kFine + 1, "not one of rule, attention");
    h = tinyHyper("");
    h["coarse_head"] = "attention";
    expectRefused(h, kFine, "needs a non-empty coarse_groups");
    h["coarse_groups"] = {nlohmann::json::array()};
    expectRefused(h, kFine + 1, "at least one fine tag");
    h = tinyHyper("attention");
    h["coarse_attention_scope"] = "children";
    expectRefused(h, kFine + 3, "must be \"all\" or \"members\"");
    h = tinyHyper("rule");
    h["coarse_attention_scope"] = "members";
    expectRefused(h, kFine + 3, "attention coarse head only");
}

TEST(CoarseTargets, AreTheMaxOfEachGroupsMemberTargets) {
    HostTensor fine{{2, 4}, {0.1f, 0.7f, 0.2f, 0.3f, 0.9f, 0.0f, 0.4f, 0.5f}};
    auto coarse = coarseTargets(fine, {{0, 1}, {2, 3}, {2}});
    ASSERT_TRUE(coarse) << coarse.error().message;
    EXPECT_EQ(coarse->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(coarse->data, (std::vector<float>{0.7f, 0.3f, 0.2f, 0.9f, 0.5f, 0.4f}));
    EXPECT_FALSE(coarseTargets(fine, {{4}}));
    EXPECT_FALSE(coarseTargets(fine, {{}}));
    EXPECT_TRUE(coarseGroupsOf(tinyHyper("")).empty());
    EXPECT_EQ(coarseGroupsOf(tinyHyper("attention")).size(), 3u);
}

WindowSet synthetic(int64_t windows, unsigned seed) { return test::syntheticWindows(windows, seed); }

TrainerOptions tinyOptions(const std::string& head) {
    TrainerOptions o;
    o.hyper = tinyHyper(head);
    o.hyper["dropout"] = 0.1;
    o.cropFrames = 32;
    o.batchSize = 8;
    o.totalSteps = 200;
    o.warmupSteps = 10;
    o.learningRate = 3e-3;
    o.gainDb = 1.0;
    o.maxFrequencyMask = 2;
    o.maxTimeMask = 4;
    o.seed = 7;
    return o;
}

TEST(CoarseHead, TrainsJointlyAndScoresTheCoarseLevelBelowTheBaseline) {
    for (const std::string head : {"rule", "attention"}) {
        SCOPED_TRACE(head);
        auto t = Trainer::create(tinyOptions(head), synthetic(48, 1), synthetic(16, 2));
        ASSERT_TRUE(t) << t.error().message;
        EXPECT_EQ((*t)->tagCount(), kFine + 3);
        auto status = (*t)->run(200, 0.0, 0, 0, {}, {});
        ASSERT_TRUE(status) << status.error().message;
        EXPECT_LT(status->validationLoss, status->baselineLoss - 0.05);
        // The coarse outputs follow their groups: group 0 ({0, 1}) is on when band 0-3 or 4-7 is raised.
        auto windows = synthetic(32, 5);
        HostTensor crop{{32, kMels, 32}, {}};
        for (int64_t w = 0; w < 32; ++w)
            for (int64_t m = 0; m < kMels; ++m) {
                const float* row = windows.mel.data.data() + (w * kMels + m) * kFrames;
                crop.data.insert(crop.data.end(), row, row + 32);
            }
        auto probabilities = (*t)->predict(crop);
        ASSERT_TRUE(probabilities) << probabilities.error().message;
        auto coarse = coarseTargets(windows.targets, {{0, 1}, {2, 3}, {1}});
        ASSERT_TRUE(coarse);
        double onSum = 0, offSum = 0;
        int on = 0, off = 0;
        for (int64_t w = 0; w < 32; ++w) {
            const float p = probabilities->data[size_t(w * (kFine + 3) + kFine)];
            if (coarse->data[size_t(w * 3)] > 0.5f) onSum += p, ++on;
            else offSum += p, ++off;
        }
        ASSERT_GT(on, 0);
        ASSERT_GT(off, 0);
        EXPECT_GT(onSum / on, offSum / off + 0.3) << "coarse group 0 does not follow its members";
    }
}

TEST(CoarseHead, FineTuningFromAStudentWithoutAHeadKeepsTheHeadsFreshWeights) {
    auto plain = Trainer::create(tinyOptions(""), synthetic(16, 1), synthetic(8, 2));
    auto withHead = Trainer::create(tinyOptions("attention"), synthetic(16, 1), synthetic(8, 2));
    ASSERT_TRUE(plain && withHead);
    ASSERT_TRUE((*plain)->run(3, 0.0, 0, 0, {}, {}));
    auto ok = (*withHead)->initialiseStudent((*plain)->studentWeights(), "plain.safetensors");
    ASSERT_TRUE(ok) << ok.error().message;
    const auto a = (*plain)->studentWeights(), b = (*withHead)->studentWeights();
    for (const auto& [key, tensor] : a) EXPECT_EQ(tensor.data, b.at(key).data) << key;
    EXPECT_TRUE(b.count("coarse_head.query"));
    // Other missing tensors are still an error.
    auto partial = (*plain)->studentWeights();
    partial.erase("mlp_head.1.weight");
    auto fresh = Trainer::create(tinyOptions("attention"), synthetic(16, 1), synthetic(8, 2));
    ASSERT_TRUE(fresh);
    EXPECT_FALSE((*fresh)->initialiseStudent(partial, "partial.safetensors"));
}

namespace {

/// `count` one-window tracks whose mel holds the track's index and whose ensemble scores on
/// `vocabulary` (50 tags) are uniform random, drawn from `seed`.
std::vector<CachedTrack> randomTracks(const std::string& vocabulary, int count, unsigned seed) {
    std::vector<CachedTrack> tracks;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int i = 0; i < count; ++i) {
        CachedTrack t;
        t.windowStartSeconds = {0.0};
        t.mel = HostTensor{{1, 2, 4}, std::vector<float>(8, float(i))};
        HostTensor e{{1, 50}, {}};
        for (int k = 0; k < 50; ++k) e.data.push_back(u(rng));
        t.ensemble[vocabulary] = e;
        tracks.push_back(t);
    }
    return tracks;
}

} // namespace

TEST(CoarseEvaluation, ScoresPosthocPoolingAndLearnedGroupsAgainstTheEnsemblesGroups) {
    // Three tracks, one vocabulary of 50 tags; the student copies the ensemble's fine scores,
    // and outputs group scores that are right (learned) for one group set.
    const std::vector<std::string> vocabularies{"mtat_top50"};
    auto tracks = randomTracks("mtat_top50", 6, 11);
    std::vector<std::vector<int64_t>> groups;
    for (int64_t g = 0; g < 10; ++g) groups.push_back({5 * g, 5 * g + 1, 5 * g + 2, 5 * g + 3, 5 * g + 4});
    auto studentFor = [&](bool withGroups, bool rightGroups) {
        return StudentFn([&, withGroups, rightGroups](const HostTensor& mel) -> Result<HostTensor> {
            const int index = int(mel.data[0]);
            const auto& e = tracks[size_t(index)].ensemble.at("mtat_top50").data;
            HostTensor out{{1, withGroups ? 60 : 50}, e};
            if (withGroups)
                for (const auto& g : groups) {
                    float best = 0;
                    for (int64_t m : g) best = std::max(best, e[size_t(m)]);
                    out.data.push_back(rightGroups ? best : 1.0f - best);
                }
            return out;
        });
    };
    auto posthocOnly = evaluateAgainstEnsemble(tracks, vocabularies, {}, studentFor(false, false), 4, groups);
    ASSERT_TRUE(posthocOnly) << posthocOnly.error().message;
    EXPECT_FALSE((*posthocOnly)["coarse"].contains("learned"));
    EXPECT_EQ((*posthocOnly)["coarse"]["groups"].get<int>(), 10);
    // Post-hoc pooling of exact fine scores is the reference itself: it agrees best.
    const double reference = (*posthocOnly)["coarse"]["posthoc"]["roc_auc"].get<double>();
    EXPECT_GT(reference, 0.7);
    auto learnedRight = evaluateAgainstEnsemble(tracks, vocabularies, {}, studentFor(true, true), 4, groups);
    ASSERT_TRUE(learnedRight) << learnedRight.error().message;
    EXPECT_NEAR((*learnedRight)["coarse"]["learned"]["roc_auc"].get<double>(), reference, 1e-9);
    // Group scores turned upside down rank every track the wrong way round.
    auto learnedWrong = evaluateAgainstEnsemble(tracks, vocabularies, {}, studentFor(true, false), 4, groups);
    ASSERT_TRUE(learnedWrong) << learnedWrong.error().message;
    EXPECT_NEAR((*learnedWrong)["coarse"]["learned"]["roc_auc"].get<double>(), 1.0 - reference, 1e-9);
    EXPECT_NEAR((*learnedWrong)["coarse"]["posthoc"]["roc_auc"].get<double>(), reference, 1e-9);
    // Without groups the student must output exactly the fine tags.
    EXPECT_FALSE(evaluateAgainstEnsemble(tracks, vocabularies, {}, studentFor(true, true), 4));
}

TEST(Evaluation, ScoresEveryModelAgainstEachSingleTeacherToo) {
    // Two teachers of one vocabulary: "msd_a" agrees with the ensemble, "msd_b" ranks every
    // tag the other way round; the student copies the ensemble.
    const std::vector<std::string> vocabularies{"msd_top50"};
    const std::vector<TeacherSpec> teachers{{"msd_a", "fcn", "msd", {}}, {"msd_b", "crnn", "msd", {}}};
    auto tracks = randomTracks("msd_top50", 8, 5);
    for (auto& t : tracks) {
        const auto& e = t.ensemble.at("msd_top50");
        HostTensor reversed{{1, 50}, {}};
        for (float v : e.data) reversed.data.push_back(1.0f - v);
        t.teachers["msd_a"] = e;
        t.teachers["msd_b"] = reversed;
    }
    const StudentFn student = [&](const HostTensor& mel) -> Result<HostTensor> {
        return HostTensor{{1, 50}, tracks[size_t(mel.data[0])].ensemble.at("msd_top50").data};
    };
    auto result = evaluateAgainstEnsemble(tracks, vocabularies, teachers, student, 4);
    ASSERT_TRUE(result) << result.error().message;
    const auto& byTeacher = (*result)["by_teacher"]["msd_top50"];
    const double agree = (*result)["msd_top50"]["student"]["roc_auc"].get<double>();
    EXPECT_GT(agree, 0.7);
    // Judged by msd_a the student is as good as judged by the ensemble; msd_b ranks the other way.
    EXPECT_NEAR(byTeacher["msd_a"]["student"]["roc_auc"].get<double>(), agree, 1e-9);
    EXPECT_NEAR(byTeacher["msd_a"]["msd_b"]["roc_auc"].get<double>(), 1.0 - agree, 1e-9);
    EXPECT_LT(byTeacher["msd_b"]["student"]["roc_auc"].get<double>(), 0.3);
    // No teacher is judged by itself.
    EXPECT_FALSE(byTeacher["msd_a"].contains("msd_a"));
    EXPECT_FALSE(byTeacher["msd_b"].contains("msd_b"));
}

TEST(Evaluation, ChunksThatDoNotDivideTheWindowStillHearAllOfItAndLongerOnesAreRefused) {
    // One window of 10 frames whose mel holds the frame index; chunks of 4 frames: 3 chunks at
    // frames 0, 3 and 6 (the last ends at the window's end). Before, 2 chunks left 2 frames unheard.
    auto tracks = randomTracks("mtat_top50", 1, 3);
    tracks[0].mel = HostTensor{{1, 1, 10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}};
    std::vector<std::vector<float>> chunks;
    const StudentFn student = [&](const HostTensor& mel) -> Result<HostTensor> {
        const int64_t n = mel.shape[0], frames = mel.shape[2];
        for (int64_t i = 0; i < n; ++i)
            chunks.emplace_back(mel.data.begin() + i * frames, mel.data.begin() + (i + 1) * frames);
        return HostTensor{{1, 50}, tracks[0].ensemble.at("mtat_top50").data};
    };
    ASSERT_TRUE(evaluateAgainstEnsemble(tracks, {"mtat_top50"}, {}, student, 4));
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks[0], (std::vector<float>{0, 1, 2, 3}));
    EXPECT_EQ(chunks[1], (std::vector<float>{3, 4, 5, 6}));
    EXPECT_EQ(chunks[2], (std::vector<float>{6, 7, 8, 9}));
    chunks.clear();
    ASSERT_TRUE(evaluateAgainstEnsemble(tracks, {"mtat_top50"}, {}, student, 5)); // divides: no overlap
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[1].front(), 5.0f);
    auto tooLong = evaluateAgainstEnsemble(tracks, {"mtat_top50"}, {}, student, 11);
    ASSERT_FALSE(tooLong);
    EXPECT_NE(tooLong.error().message.find("11 frames"), std::string::npos) << tooLong.error().message;
}

TEST(TaxonomyGroups, ResolveToOutputIndicesAcrossVocabularies) {
    tags::Taxonomy taxonomy;
    taxonomy.groups = {{"keys", "instrument", {"piano", "synth"}}, {"none", "genre", {"polka"}}, {"rock", "genre", {"rock"}}};
    const std::vector<std::string> names{"piano", "rock", "guitar", "rock", "synth"};
    auto groups = tags::resolveGroups(taxonomy, names);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].group, 0u);
    EXPECT_EQ(groups[0].members, (std::vector<size_t>{0, 4}));
    EXPECT_EQ(groups[1].group, 2u);
    EXPECT_EQ(groups[1].members, (std::vector<size_t>{1, 3}));
}

} // namespace
