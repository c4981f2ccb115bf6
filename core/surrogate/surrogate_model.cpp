// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/surrogate/surrogate_model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "core/io/file_util.h"
#include "core/surrogate/tree_codec.h"
#include "core/surrogate/xgb_booster.h"

namespace tagscope::surrogate {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "tagscope-surrogate";
constexpr int kVersion = 1;

json optionalNumber(const std::optional<double>& v) {
    // NOTE: rounded to 4 decimals so the file stays small and diffs stay readable.
    return v ? json(std::round(*v * 1e4) / 1e4) : json(nullptr);
}
std::optional<double> readOptional(const json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return j.at(key).get<double>();
}

json fidelityJson(const TagFidelity& f) {
    return {{"tag", f.tag}, {"r2", optionalNumber(f.r2)}, {"segment_r2", optionalNumber(f.segmentR2)},
            {"auc", optionalNumber(f.auc)}, {"positives", f.positives}, {"tracks", f.tracks}};
}

/// Probe rows for the packed-booster check: every feature missing, and every feature 0.
FeatureMatrix probeRows(size_t features) {
    FeatureMatrix probe = FeatureMatrix::zeros(2, features);
    for (size_t c = 0; c < features; ++c) probe.at(0, c) = std::nanf("");
    return probe;
}

/// An error unless `booster` gives the recorded margins on the probe rows.
Result<void> checkMargins(const XgbBooster& booster, const json& expected, size_t features) {
    auto margins = booster.margins(probeRows(features));
    if (!margins) return fail(margins.error());
    const auto want = expected.get<std::vector<float>>();
    if (want.size() != margins->size())
        return fail(Error::Kind::InvalidInput, {}, "surrogate model: a booster's check values are malformed");
    for (size_t i = 0; i < want.size(); ++i)
        if (!(std::fabs((*margins)[i] - want[i]) <= 1e-5f * (1.0f + std::fabs(want[i]))))
            return fail(Error::Kind::InvalidInput, {}, "surrogate model: a booster does not predict what it was saved "
                                                       "with (its base score or trees did not survive)");
    return {};
}

} // namespace

std::vector<size_t> MusicalExplanation::ranked(size_t n) const {
    std::vector<size_t> order(contributions.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return std::fabs(contributions[a]) > std::fabs(contributions[b]);
    });
    if (n && order.size() > n) order.resize(n);
    return order;
}

SurrogateModel::SurrogateModel() = default;
SurrogateModel::~SurrogateModel() = default;
SurrogateModel::SurrogateModel(const SurrogateModel&) = default;
SurrogateModel& SurrogateModel::operator=(const SurrogateModel&) = default;
SurrogateModel::SurrogateModel(SurrogateModel&&) noexcept = default;
SurrogateModel& SurrogateModel::operator=(SurrogateModel&&) noexcept = default;

std::filesystem::path SurrogateModel::pathForCard(const std::filesystem::path& cardFile) {
    auto path = cardFile;
    path.replace_extension(".surrogate.json");
    return path;
}

Result<SurrogateModel> SurrogateModel::fromBoosters(std::string modelId, std::vector<SurrogateFeature> features,
                                                    std::vector<std::string> tags,
                                                    const std::vector<std::string>& boosterJson) {
    if (boosterJson.size() != tags.size())
        return fail(Error::Kind::Internal, {}, "surrogate model: one booster per tag is needed");
    SurrogateModel model;
    model.m_modelId = std::move(modelId);
    model.m_features = std::move(features);
    model.m_tags = std::move(tags);
    for (const auto& text : boosterJson) {
        auto packed = packBooster(text);
        if (!packed) return fail(packed.error());
        // NOTE: the booster used from now on is the one rebuilt from the packed form, so a model
        // predicts exactly the same before and after a save/load round trip.
        auto unpacked = unpackBooster(*packed);
        if (!unpacked) return fail(unpacked.error());
        auto booster = XgbBooster::fromJson(*unpacked);
        if (!booster) return fail(booster.error());
        if ((*packed)["num_feature"].get<size_t>() != model.m_features.size())
            return fail(Error::Kind::Mismatch, {}, "surrogate model: a booster was trained on another feature count");
        // NOTE: the trained booster's own margins on two probe rows travel with the packed trees;
        // the rebuilt booster must reproduce them, now and whenever the file is loaded.
        auto original = XgbBooster::fromJson(text);
        if (!original) return fail(original.error());
        auto expected = original->margins(probeRows(model.m_features.size()));
        if (!expected) return fail(expected.error());
        (*packed)["check_margins"] = *expected;
        if (auto ok = checkMargins(*booster, (*packed)["check_margins"], model.m_features.size()); !ok)
            return fail(Error::Kind::Internal, {}, ok.error().message);
        model.m_boosters.push_back(std::make_shared<const XgbBooster>(std::move(*booster)));
        model.m_packed.push_back(std::move(*packed));
    }
    return model;
}

Result<SurrogateModel> SurrogateModel::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (!std::filesystem::exists(file))
            return fail(Error::Kind::NotFound, file, "no surrogate model file (train one with 'tagscope-cli train surrogate')");
        return fail(Error::Kind::Io, file, "cannot open the surrogate model file");
    }
    std::stringstream text;
    text << in.rdbuf();
    auto damaged = [&](const std::string& why) {
        return fail(Error::Kind::InvalidInput, file, "the surrogate model file is damaged (" + why + ")");
    };
    json j;
    try {
        j = json::parse(text.str());
    } catch (const std::exception& e) {
        return damaged(std::string("not valid JSON: ") + e.what());
    }
    try {
        if (!j.is_object() || j.value("format", "") != kFormat) return damaged("not a Tagscope surrogate file");
        if (j.at("version").get<int>() > kVersion)
            return fail(Error::Kind::InvalidInput, file, "the surrogate file was written by a newer Tagscope");
        SurrogateModel model;
        model.m_modelId = j.at("model_id").get<std::string>();
        for (const auto& f : j.at("features"))
            model.m_features.push_back({f.at("key").get<std::string>(), f.at("name").get<std::string>(),
                                        f.value("unit", "")});
        model.m_tags = j.at("tags").get<std::vector<std::string>>();
        const json& boosters = j.at("boosters");
        if (!boosters.is_array() || boosters.size() != model.m_tags.size())
            return damaged("it has " + std::to_string(boosters.size()) + " boosters for " +
                           std::to_string(model.m_tags.size()) + " tags");
        if (model.m_features.empty()) return damaged("it lists no features");
        for (const auto& packed : boosters) {
            if (packed.at("num_feature").get<size_t>() != model.m_features.size())
                return damaged("a booster uses another number of features than the file lists");
            auto text = unpackBooster(packed);
            if (!text) return damaged(text.error().message);
            auto booster = XgbBooster::fromJson(*text);
            if (!booster) return damaged(booster.error().message);
            if (packed.contains("check_margins"))
                if (auto ok = checkMargins(*booster, packed.at("check_margins"), model.m_features.size()); !ok)
                    return damaged(ok.error().message);
            model.m_boosters.push_back(std::make_shared<const XgbBooster>(std::move(*booster)));
            model.m_packed.push_back(packed);
        }
        if (j.contains("fidelity")) {
            for (const auto& f : j.at("fidelity")) {
                TagFidelity t;
                t.tag = f.at("tag").get<std::string>();
                t.r2 = readOptional(f, "r2");
                t.segmentR2 = readOptional(f, "segment_r2");
                t.auc = readOptional(f, "auc");
                t.positives = f.value("positives", size_t(0));
                t.tracks = f.value("tracks", size_t(0));
                model.m_fidelity.push_back(std::move(t));
            }
            if (!model.m_fidelity.empty() && model.m_fidelity.size() != model.m_tags.size())
                return damaged("its fidelity table does not cover every tag");
        }
        model.m_training = j.value("training", json::object());
        return model;
    } catch (const std::exception& e) {
        return damaged(e.what());
    }
}

Result<void> SurrogateModel::save(const std::filesystem::path& file) const {
    json features = json::array();
    for (const auto& f : m_features) features.push_back({{"key", f.key}, {"name", f.name}, {"unit", f.unit}});
    json fidelity = json::array();
    for (const auto& f : m_fidelity) fidelity.push_back(fidelityJson(f));
    json summaryJson = json::object();
    if (!m_fidelity.empty()) {
        const auto s = summarize(m_fidelity);
        summaryJson = {{"median_r2", optionalNumber(s.medianR2)}, {"median_auc", optionalNumber(s.medianAuc)},
                       {"tags_with_auc", s.tagsWithAuc}};
        if (s.worstR2) summaryJson["worst_r2"] = fidelityJson(*s.worstR2);
        if (s.worstAuc) summaryJson["worst_auc"] = fidelityJson(*s.worstAuc);
    }
    json j = {{"format", kFormat},
              {"version", kVersion},
              {"model_id", m_modelId},
              {"features", features},
              {"tags", m_tags},
              {"training", m_training},
              {"fidelity_summary", summaryJson},
              {"fidelity", fidelity},
              {"boosters", m_packed}};
    std::string text = j.dump(1);
    text += '\n';
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    return io::writeFileAtomically(file, text);
}

std::optional<size_t> SurrogateModel::tagIndex(const std::string& name) const {
    const auto it = std::find(m_tags.begin(), m_tags.end(), name);
    if (it == m_tags.end()) return std::nullopt;
    return size_t(it - m_tags.begin());
}

std::optional<TagFidelity> SurrogateModel::fidelityOf(size_t tag) const {
    if (tag >= m_fidelity.size()) return std::nullopt;
    return m_fidelity[tag];
}

Result<void> SurrogateModel::checkTags(std::span<const std::string> modelTags) const {
    if (modelTags.size() != m_tags.size() || !std::equal(modelTags.begin(), modelTags.end(), m_tags.begin()))
        return fail(Error::Kind::Mismatch, {}, "the surrogate model was trained for another model's tags ('" +
                                                   m_modelId + "', " + std::to_string(m_tags.size()) + " tags)");
    return {};
}

Result<void> SurrogateModel::checkModel(const std::string& modelId, std::span<const std::string> modelTags) const {
    if (modelId != m_modelId)
        return fail(Error::Kind::Mismatch, {}, "the surrogate model was trained for the model '" + m_modelId + "', not '" +
                                                   modelId + "' (retrain it: tagscope-cli train surrogate --model " +
                                                   modelId + ")");
    return checkTags(modelTags);
}

Result<SurrogateModel> SurrogateModel::loadForCard(const std::filesystem::path& cardFile, const std::string& modelId,
                                                   std::span<const std::string> modelTags) {
    const auto path = pathForCard(cardFile);
    auto model = load(path);
    if (!model) return fail(model.error());
    if (auto ok = model->checkModel(modelId, modelTags); !ok) return fail(Error::make(ok.error().kind, path, ok.error().message));
    return model;
}

Result<void> SurrogateModel::checkCall(size_t tag, const FeatureMatrix& x) const {
    if (tag >= m_boosters.size())
        return fail(Error::Kind::InvalidInput, {}, "the surrogate model has no tag number " + std::to_string(tag));
    if (x.cols != m_features.size())
        return fail(Error::Kind::Mismatch, {}, "the surrogate model needs " + std::to_string(m_features.size()) +
                                                   " features, got " + std::to_string(x.cols));
    return {};
}

Result<std::vector<float>> SurrogateModel::predict(size_t tag, const FeatureMatrix& x) const {
    if (auto ok = checkCall(tag, x); !ok) return fail(ok.error());
    return m_boosters[tag]->predict(x);
}

Result<FeatureMatrix> SurrogateModel::contributions(size_t tag, const FeatureMatrix& x) const {
    if (auto ok = checkCall(tag, x); !ok) return fail(ok.error());
    return m_boosters[tag]->contributions(x);
}

Result<std::vector<MusicalExplanation>> SurrogateModel::explain(size_t tag, const FeatureMatrix& x) const {
    auto predictions = predict(tag, x);
    if (!predictions) return fail(predictions.error());
    auto shap = contributions(tag, x);
    if (!shap) return fail(shap.error());
    std::vector<MusicalExplanation> out(x.rows);
    for (size_t r = 0; r < x.rows; ++r) {
        auto& e = out[r];
        e.tag = tag;
        e.prediction = (*predictions)[r];
        const auto row = x.row(r);
        e.featureValues.assign(row.begin(), row.end());
        for (size_t c = 0; c < x.cols; ++c) e.contributions.push_back(shap->at(r, c));
        e.bias = shap->at(r, x.cols);
    }
    return out;
}

} // namespace tagscope::surrogate
