// SPDX-License-Identifier: GPL-3.0-or-later
// The surrogate's XGBoost wrapper, packed trees, tree SHAP and file round trips on synthetic data.
#include <cmath>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "core/surrogate/musical_explanation.h"
#include "core/surrogate/surrogate_model.h"
#include "core/surrogate/tree_codec.h"
#include "core/surrogate/xgb_booster.h"
#include "tests/support/synthetic_surrogate.h"
#include "tests/support/test_paths.h"

namespace tagscope::surrogate {
namespace {

// 400 rows of 6 uniform features; the label depends only on feature 3.
struct Feature3Data {
    FeatureMatrix x;
    std::vector<float> y;
};
Feature3Data feature3Data(unsigned seed = 3) {
    Feature3Data d;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (int r = 0; r < 400; ++r) {
        std::vector<float> row(6);
        for (auto& v : row) v = unit(rng);
        d.x.appendRow(row);
        d.y.push_back(row[3] > 0.5f ? 0.9f : 0.1f);
    }
    return d;
}

std::string readAll(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(SurrogateBooster, ShapPutsATagThatDependsOnFeature3OnFeature3) {
    const auto data = feature3Data();
    BoosterParams params;
    params.rounds = 20;
    auto booster = XgbBooster::train(data.x, data.y, params);
    ASSERT_TRUE(booster) << booster.error().message;
    auto shap = booster->contributions(data.x);
    ASSERT_TRUE(shap) << shap.error().message;
    ASSERT_EQ(shap->cols, 7u);
    std::vector<double> meanAbs(6, 0.0);
    for (size_t r = 0; r < shap->rows; ++r)
        for (size_t c = 0; c < 6; ++c) meanAbs[c] += std::fabs(shap->at(r, c)) / double(shap->rows);
    for (size_t c = 0; c < 6; ++c) {
        if (c != 3) {
            EXPECT_LT(meanAbs[c] * 20.0, meanAbs[3]) << "feature " << c;
        }
    }
    // High feature 3 pushes up, low pushes down.
    for (size_t r = 0; r < 20; ++r) EXPECT_EQ(shap->at(r, 3) > 0.0f, data.x.at(r, 3) > 0.5f) << r;
}

TEST(SurrogateBooster, ShapSumsToTheMargin) {
    const auto data = feature3Data();
    for (const char* objective : {"reg:squarederror", "binary:logistic"}) {
        BoosterParams params;
        params.objective = objective;
        params.rounds = 15;
        params.baseScore = 0.3;
        auto booster = XgbBooster::train(data.x, data.y, params);
        ASSERT_TRUE(booster) << booster.error().message;
        auto shap = booster->contributions(data.x);
        auto margins = booster->margins(data.x);
        ASSERT_TRUE(shap && margins);
        for (size_t r = 0; r < data.x.rows; ++r) {
            double sum = 0.0;
            for (size_t c = 0; c < shap->cols; ++c) sum += shap->at(r, c);
            EXPECT_NEAR(sum, (*margins)[r], 1e-4) << objective << " row " << r;
        }
    }
}

TEST(SurrogateBooster, PackedTreesPredictAndExplainExactlyLikeTheOriginal) {
    auto data = feature3Data(11);
    for (auto& y : data.y) y = 0.003f + 0.002f * y;  // far from the default base score 0.5
    BoosterParams params;
    params.rounds = 12;
    params.baseScore = 0.0035;
    auto booster = XgbBooster::train(data.x, data.y, params);
    ASSERT_TRUE(booster);
    auto json = booster->toJson();
    ASSERT_TRUE(json);
    auto packed = packBooster(*json);
    ASSERT_TRUE(packed) << packed.error().message;
    EXPECT_EQ((*packed)["num_trees"], 12);
    EXPECT_LT(packed->dump().size() * 5, json->size()) << "packing should shrink the model a lot";
    auto unpacked = unpackBooster(*packed);
    ASSERT_TRUE(unpacked) << unpacked.error().message;
    auto again = XgbBooster::fromJson(*unpacked);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(*booster->predict(data.x), *again->predict(data.x));
    const auto before = booster->contributions(data.x)->values, after = again->contributions(data.x)->values;
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i) EXPECT_NEAR(before[i], after[i], 1e-5) << i;
}

// Regression (last session's shipped surrogate predicted ~0.5 everywhere): boosters trained in
// memory, packed into a surrogate file, saved and loaded must predict and explain exactly like
// XGBoost's own in-memory boosters, base score included, for both objectives.
TEST(SurrogateModel, SavedAndLoadedModelMatchesTheInMemoryBoosters) {
    auto data = feature3Data(5);
    const auto dir = test::scratchDir("surrogate_matches_xgboost");
    std::vector<std::vector<float>> labels(3);
    for (size_t r = 0; r < data.y.size(); ++r) {
        labels[0].push_back(0.003f + 0.002f * data.y[r]);  // far below 0.5
        labels[1].push_back(0.97f + 0.02f * data.y[r]);    // far above
        labels[2].push_back(data.y[r]);
    }
    const char* objectives[] = {"reg:squarederror", "binary:logistic", "reg:squarederror"};
    const double baseScores[] = {0.0037123, 0.9812345, 0.3};
    std::vector<XgbBooster> originals;
    std::vector<std::string> texts;
    for (size_t tag = 0; tag < 3; ++tag) {
        BoosterParams params;
        params.objective = objectives[tag];
        params.rounds = 10;
        params.baseScore = baseScores[tag];
        auto booster = XgbBooster::train(data.x, labels[tag], params);
        ASSERT_TRUE(booster) << booster.error().message;
        texts.push_back(*booster->toJson());
        originals.push_back(std::move(*booster));
    }
    std::vector<SurrogateFeature> features(6);
    for (size_t c = 0; c < 6; ++c) features[c] = {"f" + std::to_string(c), "feature " + std::to_string(c), ""};
    auto model = SurrogateModel::fromBoosters("m", features, {"low", "high", "mid"}, texts);
    ASSERT_TRUE(model) << model.error().message;
    ASSERT_TRUE(model->save(dir / "m.surrogate.json"));
    auto loaded = SurrogateModel::load(dir / "m.surrogate.json");
    ASSERT_TRUE(loaded) << loaded.error().message;
    auto probe = feature3Data(6).x;
    probe.appendRow(std::vector<float>(6, std::nanf("")));  // every feature missing
    for (size_t tag = 0; tag < 3; ++tag) {
        const auto want = *originals[tag].predict(probe);
        const auto wantShap = originals[tag].contributions(probe)->values;
        const auto margins = *originals[tag].margins(probe);
        for (const SurrogateModel* m : {&*model, &*loaded}) {
            const auto got = *m->predict(tag, probe);
            const auto gotShap = m->contributions(tag, probe)->values;
            ASSERT_EQ(got.size(), want.size());
            ASSERT_EQ(gotShap.size(), wantShap.size());
            for (size_t r = 0; r < want.size(); ++r) ASSERT_NEAR(got[r], want[r], 1e-6) << "tag " << tag << " row " << r;
            for (size_t i = 0; i < wantShap.size(); ++i) ASSERT_NEAR(gotShap[i], wantShap[i], 1e-6) << "tag " << tag;
            // SHAP (features + bias) sums to the margin of every row.
            for (size_t r = 0; r < probe.rows; ++r) {
                double sum = 0.0;
                for (size_t c = 0; c < 7; ++c) sum += gotShap[r * 7 + c];
                ASSERT_NEAR(sum, margins[r], 1e-5) << "tag " << tag << " row " << r;
            }
        }
        // The base score survives: the all-missing row sits near the labels, not near 0.5.
        if (tag < 2) {
            EXPECT_NEAR((*loaded->predict(tag, probe)).back(), labels[tag].front(), 0.03) << tag;
        }
    }
    // A file whose trees no longer give the margins recorded beside them is refused.
    auto j = nlohmann::json::parse(readAll(dir / "m.surrogate.json"));
    j["boosters"][0]["base_score"] = 0.5;
    std::ofstream(dir / "shifted.surrogate.json") << j.dump();
    auto shifted = SurrogateModel::load(dir / "shifted.surrogate.json");
    ASSERT_FALSE(shifted);
    EXPECT_NE(shifted.error().message.find("does not predict what it was saved with"), std::string::npos)
        << shifted.error().message;
}

TEST(SurrogateBooster, BadInputIsAnErrorNotACrash) {
    FeatureMatrix x = FeatureMatrix::zeros(4, 2);
    std::vector<float> y(3, 0.0f);
    EXPECT_FALSE(XgbBooster::train(x, y, {}));
    EXPECT_FALSE(XgbBooster::train(FeatureMatrix{}, {}, {}));
    auto garbage = XgbBooster::fromJson("{not a model");
    ASSERT_FALSE(garbage);
    EXPECT_NE(garbage.error().message.find("XGBoost"), std::string::npos);
    EXPECT_FALSE(base64Decode("abc"));
    EXPECT_FALSE(base64Decode("ab!d"));
    EXPECT_EQ(*base64Decode(base64Encode("any\0bytes\xff")), std::string("any\0bytes\xff"));
}

TEST(SurrogateModel, TrainsPerTagAndMeasuresFidelity) {
    const auto model = test::syntheticSurrogate();
    ASSERT_EQ(model.tags().size(), 3u);
    ASSERT_EQ(model.fidelity().size(), 3u);
    for (const auto& f : model.fidelity()) {
        ASSERT_TRUE(f.r2) << f.tag;
        EXPECT_GT(*f.r2, 0.8) << f.tag;
        EXPECT_EQ(f.tracks, 20u);
        EXPECT_EQ(f.verdict(), "good");
    }
    // "bright" depends only on key strength: its explanation puts key strength first.
    FeatureMatrix x;
    x.appendRow(std::vector<float>{100.0f, -20.0f, 2000.0f, 0.95f, 0.5f, 0.5f});
    auto e = model.explain(1, x);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->front().ranked(1).front(), 3u);
    EXPECT_GT(e->front().contributions[3], 0.2f);
    double sum = e->front().bias;
    for (float c : e->front().contributions) sum += c;
    EXPECT_NEAR(sum, e->front().prediction, 1e-4);
    // A fast track pushes "dance" up through tempo.
    auto dance = model.explain(0, x);
    x.at(0, 0) = 170.0f;
    auto fast = model.explain(0, x);
    EXPECT_LT(dance->front().contributions[0], 0.0f);
    EXPECT_GT(fast->front().contributions[0], 0.0f);
    EXPECT_EQ(fast->front().ranked(1).front(), 0u);
}

TEST(SurrogateModel, SaveLoadRoundTripIsExactAndDeterministic) {
    const auto dir = test::scratchDir("surrogate_round_trip");
    const auto model = test::syntheticSurrogate();
    ASSERT_TRUE(model.save(dir / "a.surrogate.json"));
    auto loaded = SurrogateModel::load(dir / "a.surrogate.json");
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->tags(), model.tags());
    EXPECT_EQ(loaded->features().size(), 6u);
    EXPECT_EQ(loaded->features()[0].unit, "BPM");
    ASSERT_EQ(loaded->fidelity().size(), 3u);
    EXPECT_NEAR(*loaded->fidelity()[1].r2, *model.fidelity()[1].r2, 1e-4);
    const auto data = test::syntheticDataset(9, 3, 99);
    for (size_t tag = 0; tag < 3; ++tag) {
        EXPECT_EQ(*loaded->predict(tag, data.x), *model.predict(tag, data.x));
        EXPECT_EQ(loaded->contributions(tag, data.x)->values, model.contributions(tag, data.x)->values);
    }
    // Retraining from the same data writes the same bytes; so does saving the loaded model.
    ASSERT_TRUE(test::syntheticSurrogate().save(dir / "b.surrogate.json"));
    ASSERT_TRUE(loaded->save(dir / "c.surrogate.json"));
    EXPECT_EQ(readAll(dir / "a.surrogate.json"), readAll(dir / "b.surrogate.json"));
    EXPECT_EQ(readAll(dir / "a.surrogate.json"), readAll(dir / "c.surrogate.json"));
    EXPECT_EQ(SurrogateModel::pathForCard("models/x.json"), std::filesystem::path("models/x.surrogate.json"));
}

TEST(SurrogateModel, MissingOrDamagedFilesAreClearErrors) {
    const auto dir = test::scratchDir("surrogate_damaged");
    auto missing = SurrogateModel::load(dir / "none.surrogate.json");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, Error::Kind::NotFound);
    EXPECT_NE(missing.error().message.find("none.surrogate.json"), std::string::npos);

    ASSERT_TRUE(test::syntheticSurrogate().save(dir / "good.json"));
    const std::string good = readAll(dir / "good.json");
    auto writeAndLoad = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name, std::ios::binary) << text;
        return SurrogateModel::load(dir / name);
    };
    const std::vector<std::pair<std::string, std::string>> damaged = {
        {"empty.json", ""},
        {"truncated.json", good.substr(0, good.size() / 2)},
        {"other.json", R"({"format": "something else"})"},
        {"array.json", "[1, 2, 3]"},
    };
    for (const auto& [name, text] : damaged) {
        auto r = writeAndLoad(name, text);
        ASSERT_FALSE(r) << name;
        EXPECT_EQ(r.error().kind, Error::Kind::InvalidInput) << name;
        EXPECT_NE(r.error().message.find(name), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("damaged"), std::string::npos) << r.error().message;
    }
    // Damage inside the packed trees: cut bytes, foreign characters, a feature out of range.
    auto j = nlohmann::json::parse(good);
    auto cut = j;
    std::string trees = cut["boosters"][0]["trees"];
    cut["boosters"][0]["trees"] = trees.substr(0, trees.size() - 8);
    EXPECT_FALSE(writeAndLoad("cut.json", cut.dump()));
    auto foreign = j;
    foreign["boosters"][1]["trees"] = "@@@@" + trees.substr(4);
    EXPECT_FALSE(writeAndLoad("foreign.json", foreign.dump()));
    auto fewer = j;
    fewer["boosters"].erase(2);
    EXPECT_FALSE(writeAndLoad("fewer.json", fewer.dump()));
    auto narrow = j;
    narrow["features"].erase(5);
    EXPECT_FALSE(writeAndLoad("narrow.json", narrow.dump()));
    // Every byte value in one place of the trees: never a crash.
    for (int b = 0; b < 256; b += 17) {
        auto bytes = *base64Decode(trees);
        bytes[2] = char(b);
        auto flipped = j;
        flipped["boosters"][0]["trees"] = base64Encode(bytes);
        (void)writeAndLoad("flipped.json", flipped.dump());
    }
}

TEST(SurrogateModel, RefusesAnotherModelsTagsAndWrongFeatureCounts) {
    const auto model = test::syntheticSurrogate(5);
    const std::vector<std::string> same = {"dance", "bright", "loud"}, other = {"dance", "loud", "bright"};
    EXPECT_TRUE(model.checkTags(same));
    EXPECT_FALSE(model.checkTags(other));
    // The model it explains is named: another model with the same tags is refused, by name.
    EXPECT_TRUE(model.checkModel("synthetic", same));
    auto replaced = model.checkModel("tagscope-mtt-student-v2", same);
    ASSERT_FALSE(replaced);
    EXPECT_EQ(replaced.error().kind, Error::Kind::Mismatch);
    EXPECT_NE(replaced.error().message.find("'synthetic'"), std::string::npos) << replaced.error().message;
    EXPECT_NE(replaced.error().message.find("train surrogate"), std::string::npos) << replaced.error().message;
    EXPECT_FALSE(model.checkModel("synthetic", other));
    // Beside a card: the surrogate file is named in the error.
    const auto dir = test::scratchDir("surrogate_for_card");
    ASSERT_TRUE(model.save(dir / "m.surrogate.json"));
    EXPECT_TRUE(SurrogateModel::loadForCard(dir / "m.json", "synthetic", same));
    auto stale = SurrogateModel::loadForCard(dir / "m.json", "m-v2", same);
    ASSERT_FALSE(stale);
    EXPECT_NE(stale.error().message.find("m.surrogate.json"), std::string::npos) << stale.error().message;
    auto wrong = model.predict(0, FeatureMatrix::zeros(2, 5));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().kind, Error::Kind::Mismatch);
    EXPECT_FALSE(model.predict(7, FeatureMatrix::zeros(2, 6)));
}

TEST(SurrogateExplanation, FeatureValuesReadWithTheirUnitsAtEveryScale) {
    const SurrogateFeature tempo{"tempo_bpm", "tempo", "BPM"}, flatness{"spectral_flatness", "spectral flatness", ""};
    EXPECT_EQ(formatFeatureValue(tempo, 128.4f), "128 BPM");
    EXPECT_EQ(formatFeatureValue(tempo, 12.34f), "12.3 BPM");
    EXPECT_EQ(formatFeatureValue(flatness, 0.734f), "0.73");
    EXPECT_EQ(formatFeatureValue(flatness, 0.0012f), "0.0012");  // small values keep their digits
    EXPECT_EQ(formatFeatureValue(flatness, 0.0f), "0.00");
    EXPECT_EQ(formatFeatureValue(tempo, std::nanf("")), "unknown");
}

TEST(SurrogateFidelity, MetricsOnKnownInputs) {
    const std::vector<float> target = {0.0f, 1.0f, 2.0f, 3.0f};
    EXPECT_NEAR(*rSquared(target, target), 1.0, 1e-12);
    const std::vector<float> mean(4, 1.5f);
    EXPECT_NEAR(*rSquared(mean, target), 0.0, 1e-12);
    const std::vector<float> off = {0.0f, 1.0f, 2.0f, 4.0f};  // SS_res 1, SS_tot 5
    EXPECT_NEAR(*rSquared(off, target), 0.8, 1e-9);
    EXPECT_FALSE(rSquared(target, mean));  // constant target
    EXPECT_FALSE(rSquared({}, {}));

    const std::vector<char> labels = {0, 0, 1, 1};
    EXPECT_NEAR(*rocAuc(std::vector<float>{0.1f, 0.4f, 0.35f, 0.8f}, labels), 0.75, 1e-12);
    EXPECT_NEAR(*rocAuc(std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f}, labels), 1.0, 1e-12);
    EXPECT_NEAR(*rocAuc(std::vector<float>{0.4f, 0.3f, 0.2f, 0.1f}, labels), 0.0, 1e-12);
    EXPECT_NEAR(*rocAuc(std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}, labels), 0.5, 1e-12);
    EXPECT_FALSE(rocAuc(std::vector<float>{0.1f, 0.2f}, std::vector<char>{1, 1}));

    const std::vector<float> probs = {0.9f, 0.1f, 0.5f, 0.2f, 0.3f, 0.8f, 0.7f, 0.1f};
    EXPECT_EQ(topKLabels(probs, 2, 4, 2), (std::vector<char>{1, 0, 1, 0, 0, 1, 1, 0}));

    std::vector<TagFidelity> table(3);
    table[0].tag = "a", table[0].r2 = 0.9, table[0].auc = 0.95;
    table[1].tag = "b", table[1].r2 = 0.2;
    table[2].tag = "c", table[2].r2 = 0.5, table[2].auc = 0.7;
    const auto s = summarize(table);
    EXPECT_NEAR(*s.medianR2, 0.5, 1e-12);
    EXPECT_NEAR(*s.medianAuc, 0.825, 1e-12);
    EXPECT_EQ(s.worstR2->tag, "b");
    EXPECT_EQ(s.worstAuc->tag, "c");
    EXPECT_EQ(table[1].verdict(), "poor");
    EXPECT_EQ(table[2].verdict(), "good");
}

} // namespace
} // namespace tagscope::surrogate
