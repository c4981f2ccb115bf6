// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/surrogate/xgb_booster.h"

#include <cmath>
#include <string>
#include <utility>

#include <xgboost/c_api.h>

namespace tagscope::surrogate {
namespace {

tl::unexpected<Error> xgbError(const std::string& action) {
    const char* what = XGBGetLastError();
    return fail(Error::Kind::Internal, {}, "surrogate model: " + action + " failed (XGBoost: " +
                                               std::string(what ? what : "unknown error") + ")");
}

/// Owns a DMatrix.
struct DMatrix {
    DMatrixHandle handle = nullptr;
    ~DMatrix() { if (handle) XGDMatrixFree(handle); }
};

Result<void> makeDMatrix(const FeatureMatrix& x, DMatrix& out) {
    if (x.cols == 0 || x.values.size() != x.rows * x.cols)
        return fail(Error::Kind::InvalidInput, {}, "surrogate model: the feature matrix is empty or malformed");
    if (XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, std::nanf(""), &out.handle) != 0)
        return xgbError("building the feature matrix");
    return {};
}

std::string num(double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    return buffer;
}

} // namespace

XgbBooster::XgbBooster() = default;
XgbBooster::~XgbBooster() {
    if (m_handle) XGBoosterFree(m_handle);
}
XgbBooster::XgbBooster(XgbBooster&& other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}
XgbBooster& XgbBooster::operator=(XgbBooster&& other) noexcept {
    if (this != &other) {
        if (m_handle) XGBoosterFree(m_handle);
        m_handle = std::exchange(other.m_handle, nullptr);
    }
    return *this;
}

Result<XgbBooster> XgbBooster::train(const FeatureMatrix& x, std::span<const float> labels,
                                     const BoosterParams& params) {
    if (labels.size() != x.rows || x.rows == 0)
        return fail(Error::Kind::InvalidInput, {}, "surrogate model: need one label per training row (got " +
                                                       std::to_string(labels.size()) + " labels for " +
                                                       std::to_string(x.rows) + " rows)");
    DMatrix data;
    if (auto ok = makeDMatrix(x, data); !ok) return fail(ok.error());
    if (XGDMatrixSetFloatInfo(data.handle, "label", labels.data(), labels.size()) != 0)
        return xgbError("setting the training labels");
    XgbBooster booster;
    DMatrixHandle dmats[] = {data.handle};
    if (XGBoosterCreate(dmats, 1, &booster.m_handle) != 0) return xgbError("creating a booster");
    // NOTE: the exact tree method with no row or column sampling makes training deterministic.
    const std::pair<const char*, std::string> settings[] = {
        {"objective", params.objective},
        {"max_depth", std::to_string(params.maxDepth)},
        {"eta", num(params.learningRate)},
        {"min_child_weight", num(params.minChildWeight)},
        {"lambda", num(params.lambda)},
        {"base_score", num(params.baseScore)},
        {"tree_method", "exact"},
        {"nthread", std::to_string(std::max(1, params.threads))},
        {"seed", std::to_string(params.seed)},
        {"verbosity", "0"},
    };
    for (const auto& [key, value] : settings)
        if (XGBoosterSetParam(booster.m_handle, key, value.c_str()) != 0)
            return xgbError(std::string("setting ") + key + "=" + value);
    for (int round = 0; round < params.rounds; ++round)
        if (XGBoosterUpdateOneIter(booster.m_handle, round, data.handle) != 0) return xgbError("training a tree");
    return booster;
}

Result<XgbBooster> XgbBooster::fromJson(const std::string& json) {
    XgbBooster booster;
    if (XGBoosterCreate(nullptr, 0, &booster.m_handle) != 0) return xgbError("creating a booster");
    if (XGBoosterLoadModelFromBuffer(booster.m_handle, json.data(), json.size()) != 0)
        return xgbError("reading a booster");
    return booster;
}

Result<std::string> XgbBooster::toJson() const {
    if (!m_handle) return fail(Error::Kind::Internal, {}, "surrogate model: empty booster");
    bst_ulong length = 0;
    const char* data = nullptr;
    if (XGBoosterSaveModelToBuffer(m_handle, R"({"format": "json"})", &length, &data) != 0)
        return xgbError("writing a booster");
    return std::string(data, length);
}

Result<std::pair<std::vector<float>, std::vector<size_t>>> XgbBooster::run(const FeatureMatrix& x, int type) const {
    if (!m_handle) return fail(Error::Kind::Internal, {}, "surrogate model: empty booster");
    DMatrix data;
    if (auto ok = makeDMatrix(x, data); !ok) return fail(ok.error());
    const std::string config = R"({"type": )" + std::to_string(type) +
                               R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* result = nullptr;
    if (XGBoosterPredictFromDMatrix(m_handle, data.handle, config.c_str(), &shape, &dims, &result) != 0)
        return xgbError("predicting");
    std::vector<size_t> sizes(shape, shape + dims);
    size_t total = 1;
    for (size_t s : sizes) total *= s;
    return std::pair{std::vector<float>(result, result + total), sizes};
}

Result<std::vector<float>> XgbBooster::predict(const FeatureMatrix& x) const {
    auto out = run(x, 0);
    if (!out) return fail(out.error());
    return std::move(out->first);
}

Result<std::vector<float>> XgbBooster::margins(const FeatureMatrix& x) const {
    auto out = run(x, 1);
    if (!out) return fail(out.error());
    return std::move(out->first);
}

Result<FeatureMatrix> XgbBooster::contributions(const FeatureMatrix& x) const {
    auto out = run(x, 2);
    if (!out) return fail(out.error());
    if (out->first.size() != x.rows * (x.cols + 1))
        return fail(Error::Kind::Internal, {}, "surrogate model: unexpected shape of the SHAP contributions");
    return FeatureMatrix{x.rows, x.cols + 1, std::move(out->first)};
}

} // namespace tagscope::surrogate
